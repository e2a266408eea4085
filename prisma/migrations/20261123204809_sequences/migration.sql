-- CreateEnum
CREATE TYPE "SequenceStepType" AS ENUM ('EMAIL', 'WAIT', 'CONDITION', 'END');

-- CreateEnum
CREATE TYPE "DurationUnit" AS ENUM ('MINUTES', 'HOURS', 'BUSINESS_DAYS');

-- CreateEnum
CREATE TYPE "ThreadMode" AS ENUM ('SAME_THREAD', 'NEW_THREAD');

-- CreateEnum
CREATE TYPE "EnrollmentStopReason" AS ENUM ('REPLIED', 'DOMAIN_REPLIED', 'BOUNCED', 'UNSUBSCRIBED', 'SEND_FAILED', 'MANUAL', 'ARCHIVED');

-- CreateEnum
CREATE TYPE "EnrollmentEventType" AS ENUM ('ENROLLED', 'STEP_ENTERED', 'EMAIL_HANDED_OVER', 'EMAIL_SENT', 'EMAIL_FAILED', 'EMAIL_CANCELLED', 'OPENED', 'CLICKED', 'REPLIED', 'BOUNCED', 'UNSUBSCRIBED', 'BRANCH_YES', 'BRANCH_NO', 'PAUSED', 'RESUMED', 'MOVED', 'STOPPED', 'COMPLETED');

-- AlterEnum
BEGIN;
CREATE TYPE "StepExecutionStatus_new" AS ENUM ('HANDED_OVER', 'SENT', 'FAILED', 'CANCELLED');
ALTER TABLE "StepExecution" ALTER COLUMN "status" DROP DEFAULT;
ALTER TABLE "StepExecution" ALTER COLUMN "status" TYPE "StepExecutionStatus_new" USING ("status"::text::"StepExecutionStatus_new");
ALTER TYPE "StepExecutionStatus" RENAME TO "StepExecutionStatus_old";
ALTER TYPE "StepExecutionStatus_new" RENAME TO "StepExecutionStatus";
DROP TYPE "StepExecutionStatus_old";
ALTER TABLE "StepExecution" ALTER COLUMN "status" SET DEFAULT 'HANDED_OVER';
COMMIT;

-- DropForeignKey
ALTER TABLE "SequenceStep" DROP CONSTRAINT "SequenceStep_sequenceId_fkey";

-- DropForeignKey
ALTER TABLE "SequenceEnrollment" DROP CONSTRAINT "SequenceEnrollment_senderAccountId_fkey";

-- DropForeignKey
ALTER TABLE "StepExecution" DROP CONSTRAINT "StepExecution_stepId_fkey";

-- DropIndex
DROP INDEX "Sequence_organizationId_status_idx";

-- DropIndex
DROP INDEX "SequenceStep_sequenceId_position_key";

-- DropIndex
DROP INDEX "SequenceEnrollment_organizationId_status_idx";

-- DropIndex
DROP INDEX "SequenceEnrollment_sequenceId_contactId_key";

-- DropIndex
DROP INDEX "StepExecution_status_dueAt_idx";

-- DropIndex
DROP INDEX "StepExecution_enrollmentId_stepId_key";

-- AlterTable
ALTER TABLE "Sequence" ADD COLUMN     "activatedAt" TIMESTAMP(3),
ADD COLUMN     "archivedAt" TIMESTAMP(3),
ADD COLUMN     "createdById" UUID,
ADD COLUMN     "currentVersion" INTEGER,
ADD COLUMN     "pausedAt" TIMESTAMP(3),
ADD COLUMN     "stopOnAutoReply" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "stopOnBounce" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "stopOnDomainReply" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "stopOnUnsubscribe" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "trackClicks" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "SequenceStep" DROP COLUMN "businessHoursOnly",
DROP COLUMN "conditionWindowMinutes",
DROP COLUMN "createdAt",
DROP COLUMN "elseStepId",
DROP COLUMN "nextStepId",
DROP COLUMN "updatedAt",
DROP COLUMN "waitMinutes",
ADD COLUMN     "amount" INTEGER,
ADD COLUMN     "contentId" UUID,
ADD COLUMN     "elseStepKey" TEXT,
ADD COLUMN     "key" TEXT NOT NULL,
ADD COLUMN     "nextStepKey" TEXT,
ADD COLUMN     "threadMode" "ThreadMode",
ADD COLUMN     "unit" "DurationUnit",
ADD COLUMN     "versionId" UUID NOT NULL,
DROP COLUMN "type",
ADD COLUMN     "type" "SequenceStepType" NOT NULL;

-- AlterTable
ALTER TABLE "SequenceEnrollment" DROP COLUMN "completedAt",
DROP COLUMN "currentStepId",
DROP COLUMN "stoppedAt",
ADD COLUMN     "attempt" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "bouncedAt" TIMESTAMP(3),
ADD COLUMN     "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "currentStepKey" TEXT NOT NULL,
ADD COLUMN     "dueAt" TIMESTAMP(3),
ADD COLUMN     "endedAt" TIMESTAMP(3),
ADD COLUMN     "pausedAt" TIMESTAMP(3),
ADD COLUMN     "pausedWithSequence" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "repliedAt" TIMESTAMP(3),
ADD COLUMN     "stepEnteredAt" TIMESTAMP(3) NOT NULL,
ADD COLUMN     "unsubscribedAt" TIMESTAMP(3),
ADD COLUMN     "version" INTEGER NOT NULL,
ADD COLUMN     "versionId" UUID NOT NULL,
ALTER COLUMN "senderAccountId" SET NOT NULL,
DROP COLUMN "stopReason",
ADD COLUMN     "stopReason" "EnrollmentStopReason",
ALTER COLUMN "enrolledAt" DROP DEFAULT;

-- AlterTable
ALTER TABLE "StepExecution" DROP COLUMN "attempts",
DROP COLUMN "createdAt",
DROP COLUMN "dueAt",
DROP COLUMN "lastError",
DROP COLUMN "outcome",
DROP COLUMN "providerMessageId",
DROP COLUMN "providerThreadId",
DROP COLUMN "sendingAt",
DROP COLUMN "updatedAt",
ADD COLUMN     "bouncedAt" TIMESTAMP(3),
ADD COLUMN     "failedAt" TIMESTAMP(3),
ADD COLUMN     "failureReason" TEXT,
ADD COLUMN     "handedOverAt" TIMESTAMP(3) NOT NULL,
ADD COLUMN     "machineOpenedAt" TIMESTAMP(3),
ADD COLUMN     "sequenceId" UUID NOT NULL,
ADD COLUMN     "stepKey" TEXT NOT NULL,
ADD COLUMN     "versionId" UUID NOT NULL,
ALTER COLUMN "status" SET DEFAULT 'HANDED_OVER',
DROP COLUMN "messageId",
ADD COLUMN     "messageId" UUID;

-- DropEnum
DROP TYPE "StepType";

-- CreateTable
CREATE TABLE "SequenceVersion" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "sequenceId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "entryStepKey" TEXT NOT NULL,
    "trackOpens" BOOLEAN NOT NULL,
    "trackClicks" BOOLEAN NOT NULL,
    "publishedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SequenceVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SequenceStepStats" (
    "stepId" UUID NOT NULL,
    "sequenceId" UUID NOT NULL,
    "entered" INTEGER NOT NULL DEFAULT 0,
    "handedOver" INTEGER NOT NULL DEFAULT 0,
    "sent" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "opened" INTEGER NOT NULL DEFAULT 0,
    "machineOpened" INTEGER NOT NULL DEFAULT 0,
    "clicked" INTEGER NOT NULL DEFAULT 0,
    "replied" INTEGER NOT NULL DEFAULT 0,
    "autoReplied" INTEGER NOT NULL DEFAULT 0,
    "bounced" INTEGER NOT NULL DEFAULT 0,
    "unsubscribed" INTEGER NOT NULL DEFAULT 0,
    "yes" INTEGER NOT NULL DEFAULT 0,
    "no" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "SequenceStepStats_pkey" PRIMARY KEY ("stepId")
);

-- CreateTable
CREATE TABLE "EnrollmentEvent" (
    "id" BIGSERIAL NOT NULL,
    "organizationId" UUID NOT NULL,
    "enrollmentId" UUID NOT NULL,
    "type" "EnrollmentEventType" NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "version" INTEGER,
    "stepKey" TEXT,
    "data" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "EnrollmentEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SequenceVersion_sequenceId_version_key" ON "SequenceVersion"("sequenceId", "version");

-- CreateIndex
CREATE INDEX "SequenceStepStats_sequenceId_idx" ON "SequenceStepStats"("sequenceId");

-- CreateIndex
CREATE INDEX "EnrollmentEvent_enrollmentId_at_idx" ON "EnrollmentEvent"("enrollmentId", "at");

-- CreateIndex
CREATE INDEX "Sequence_organizationId_createdAt_id_idx" ON "Sequence"("organizationId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "SequenceSenderAccount_senderAccountId_idx" ON "SequenceSenderAccount"("senderAccountId");

-- CreateIndex
CREATE INDEX "SequenceStep_sequenceId_idx" ON "SequenceStep"("sequenceId");

-- CreateIndex
CREATE UNIQUE INDEX "SequenceStep_versionId_key_key" ON "SequenceStep"("versionId", "key");

-- CreateIndex
CREATE UNIQUE INDEX "SequenceStep_versionId_position_key" ON "SequenceStep"("versionId", "position");

-- CreateIndex
CREATE INDEX "SequenceEnrollment_due_idx" ON "SequenceEnrollment"("dueAt") WHERE (status = 'ACTIVE');

-- CreateIndex
CREATE INDEX "SequenceEnrollment_sequenceId_status_idx" ON "SequenceEnrollment"("sequenceId", "status");

-- CreateIndex
CREATE INDEX "SequenceEnrollment_organizationId_sequenceId_createdAt_id_idx" ON "SequenceEnrollment"("organizationId", "sequenceId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "SequenceEnrollment_contactId_idx" ON "SequenceEnrollment"("contactId");

-- CreateIndex
CREATE INDEX "SequenceEnrollment_senderAccountId_status_idx" ON "SequenceEnrollment"("senderAccountId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "SequenceEnrollment_sequenceId_contactId_attempt_key" ON "SequenceEnrollment"("sequenceId", "contactId", "attempt");

-- CreateIndex
CREATE UNIQUE INDEX "StepExecution_messageId_key" ON "StepExecution"("messageId");

-- CreateIndex
CREATE INDEX "StepExecution_sequenceId_idx" ON "StepExecution"("sequenceId");

-- CreateIndex
CREATE UNIQUE INDEX "StepExecution_enrollmentId_versionId_stepKey_key" ON "StepExecution"("enrollmentId", "versionId", "stepKey");

-- AddForeignKey
ALTER TABLE "SequenceVersion" ADD CONSTRAINT "SequenceVersion_sequenceId_fkey" FOREIGN KEY ("sequenceId") REFERENCES "Sequence"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SequenceStep" ADD CONSTRAINT "SequenceStep_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "SequenceVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SequenceStepStats" ADD CONSTRAINT "SequenceStepStats_stepId_fkey" FOREIGN KEY ("stepId") REFERENCES "SequenceStep"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SequenceEnrollment" ADD CONSTRAINT "SequenceEnrollment_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "SequenceVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SequenceEnrollment" ADD CONSTRAINT "SequenceEnrollment_senderAccountId_fkey" FOREIGN KEY ("senderAccountId") REFERENCES "SenderAccount"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StepExecution" ADD CONSTRAINT "StepExecution_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "SequenceVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StepExecution" ADD CONSTRAINT "StepExecution_stepId_fkey" FOREIGN KEY ("stepId") REFERENCES "SequenceStep"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EnrollmentEvent" ADD CONSTRAINT "EnrollmentEvent_enrollmentId_fkey" FOREIGN KEY ("enrollmentId") REFERENCES "SequenceEnrollment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
