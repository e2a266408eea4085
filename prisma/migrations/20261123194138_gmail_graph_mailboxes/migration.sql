-- AlterTable
ALTER TABLE "SenderAccount" ADD COLUMN     "inboundCursor" TEXT,
ADD COLUMN     "inboundError" TEXT,
ADD COLUMN     "inboundLeaseToken" UUID,
ADD COLUMN     "inboundLeaseUntil" TIMESTAMP(3),
ADD COLUMN     "inboundPollAt" TIMESTAMP(3),
ADD COLUMN     "inboundPolledAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "SenderAccount_status_inboundPollAt_idx" ON "SenderAccount"("status", "inboundPollAt");
