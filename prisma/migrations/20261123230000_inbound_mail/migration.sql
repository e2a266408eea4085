-- Inbound mail (docs/adr/007): the table that records replies, auto-replies and bounces once per
-- provider message id, and two partial indexes that match them to the outbound ledger. Written from
-- `npm run migrate:create` and trimmed to these statements: the previous folder's schema.prisma
-- snapshot predates the outbound ledger, so the generated diff repeated earlier migrations.

-- CreateEnum
CREATE TYPE "InboundKind" AS ENUM ('REPLY', 'AUTO_REPLY', 'BOUNCE_HARD', 'BOUNCE_SOFT', 'DELIVERY_REPORT');

-- CreateTable
CREATE TABLE "InboundMessage" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organizationId" UUID NOT NULL,
    "senderAccountId" UUID NOT NULL,
    "providerMessageId" TEXT NOT NULL,
    "providerThreadId" TEXT,
    "kind" "InboundKind" NOT NULL,
    "outboundMessageId" UUID,
    "fromAddress" TEXT,
    "subject" TEXT,
    "bounceStatus" TEXT,
    "diagnostic" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InboundMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "OutboundMessage_provider_thread_idx" ON "OutboundMessage"("senderAccountId", "providerThreadId") WHERE ("providerThreadId" IS NOT NULL);

-- CreateIndex
CREATE INDEX "OutboundMessage_mailbox_recipient_idx" ON "OutboundMessage"("senderAccountId", "email", "sentAt" DESC) WHERE ("sentAt" IS NOT NULL);

-- CreateIndex
CREATE INDEX "InboundMessage_outboundMessageId_idx" ON "InboundMessage"("outboundMessageId");

-- CreateIndex
CREATE INDEX "InboundMessage_organizationId_receivedAt_idx" ON "InboundMessage"("organizationId", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "InboundMessage_senderAccountId_providerMessageId_key" ON "InboundMessage"("senderAccountId", "providerMessageId");

-- AddForeignKey
ALTER TABLE "InboundMessage" ADD CONSTRAINT "InboundMessage_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InboundMessage" ADD CONSTRAINT "InboundMessage_senderAccountId_fkey" FOREIGN KEY ("senderAccountId") REFERENCES "SenderAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InboundMessage" ADD CONSTRAINT "InboundMessage_outboundMessageId_fkey" FOREIGN KEY ("outboundMessageId") REFERENCES "OutboundMessage"("id") ON DELETE SET NULL ON UPDATE CASCADE;
