-- CreateEnum
CREATE TYPE "SourceType" AS ENUM ('CAMPAIGN', 'SEQUENCE', 'TEST');

-- CreateEnum
CREATE TYPE "DeliveryGroupState" AS ENUM ('ACTIVE', 'PAUSED', 'CANCELLED', 'FAILED');

-- CreateEnum
CREATE TYPE "FailureKind" AS ENUM ('PERMANENT', 'EXHAUSTED', 'UNKNOWN_OUTCOME', 'TEMPLATE', 'SOURCE');

-- AlterTable
ALTER TABLE "SenderAccount" ADD COLUMN     "pausedUntil" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "MessageContent" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organizationId" UUID NOT NULL,
    "subject" TEXT NOT NULL,
    "htmlBody" TEXT NOT NULL,
    "textBody" TEXT,
    "fromName" TEXT,
    "replyTo" TEXT,
    "trackOpens" BOOLEAN NOT NULL DEFAULT true,
    "trackClicks" BOOLEAN NOT NULL DEFAULT false,
    "variables" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MessageContent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MessageAttachment" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "contentId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "filename" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "data" BYTEA NOT NULL,
    "size" INTEGER NOT NULL,

    CONSTRAINT "MessageAttachment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TrackedLink" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "contentId" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "urlHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TrackedLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeliveryGroup" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "sourceType" "SourceType" NOT NULL,
    "state" "DeliveryGroupState" NOT NULL DEFAULT 'ACTIVE',
    "dailyLimit" INTEGER,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "maxAttempts" INTEGER,
    "batchHistory" JSONB NOT NULL DEFAULT '[]',
    "nextBatchAt" TIMESTAMP(3),
    "closedReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DeliveryGroup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeliveryCounter" (
    "groupId" UUID NOT NULL,
    "shard" SMALLINT NOT NULL,
    "total" INTEGER NOT NULL DEFAULT 0,
    "pending" INTEGER NOT NULL DEFAULT 0,
    "queued" INTEGER NOT NULL DEFAULT 0,
    "sending" INTEGER NOT NULL DEFAULT 0,
    "sent" INTEGER NOT NULL DEFAULT 0,
    "delivered" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "bounced" INTEGER NOT NULL DEFAULT 0,
    "cancelled" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "accepted" INTEGER NOT NULL DEFAULT 0,
    "opened" INTEGER NOT NULL DEFAULT 0,
    "openedMachine" INTEGER NOT NULL DEFAULT 0,
    "clicked" INTEGER NOT NULL DEFAULT 0,
    "clickedMachine" INTEGER NOT NULL DEFAULT 0,
    "replied" INTEGER NOT NULL DEFAULT 0,
    "unsubscribed" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "DeliveryCounter_pkey" PRIMARY KEY ("groupId","shard")
);

-- CreateTable
CREATE TABLE "OutboundMessage" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organizationId" UUID NOT NULL,
    "groupId" UUID NOT NULL,
    "sourceType" "SourceType" NOT NULL,
    "sourceRef" UUID NOT NULL,
    "contentId" UUID NOT NULL,
    "contactId" UUID,
    "email" TEXT NOT NULL,
    "contactData" JSONB,
    "senderAccountId" UUID,
    "status" "RecipientStatus" NOT NULL DEFAULT 'PENDING',
    "failureKind" "FailureKind",
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3),
    "lastError" TEXT,
    "messageId" TEXT,
    "subject" TEXT,
    "inReplyTo" TEXT,
    "references" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "threadProviderId" TEXT,
    "providerMessageId" TEXT,
    "providerThreadId" TEXT,
    "workerId" UUID,
    "reservedDay" DATE,
    "queuedAt" TIMESTAMP(3),
    "sendingAt" TIMESTAMP(3),
    "handoffAt" TIMESTAMP(3),
    "sentAt" TIMESTAMP(3),
    "openedAt" TIMESTAMP(3),
    "machineOpenedAt" TIMESTAMP(3),
    "clickedAt" TIMESTAMP(3),
    "machineClickedAt" TIMESTAMP(3),
    "repliedAt" TIMESTAMP(3),
    "bouncedAt" TIMESTAMP(3),
    "unsubscribedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OutboundMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeliveryReservation" (
    "token" UUID NOT NULL,
    "groupId" UUID NOT NULL,
    "senderAccountId" UUID NOT NULL,
    "day" DATE NOT NULL,
    "count" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DeliveryReservation_pkey" PRIMARY KEY ("token")
);

-- CreateTable
CREATE TABLE "DeliveryWorker" (
    "id" UUID NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DeliveryWorker_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "MessageContent_organizationId_idx" ON "MessageContent"("organizationId");

-- CreateIndex
CREATE UNIQUE INDEX "MessageAttachment_contentId_position_key" ON "MessageAttachment"("contentId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "TrackedLink_contentId_urlHash_key" ON "TrackedLink"("contentId", "urlHash");

-- CreateIndex
CREATE INDEX "DeliveryGroup_state_idx" ON "DeliveryGroup"("state");

-- CreateIndex
CREATE INDEX "OutboundMessage_pending_idx" ON "OutboundMessage"("groupId", "senderAccountId", "createdAt", "id") WHERE (status = 'PENDING');

-- CreateIndex
CREATE INDEX "OutboundMessage_retry_idx" ON "OutboundMessage"("nextAttemptAt") WHERE (status = 'PENDING' AND "nextAttemptAt" IS NOT NULL);

-- CreateIndex
CREATE INDEX "OutboundMessage_inflight_mailbox_idx" ON "OutboundMessage"("senderAccountId") WHERE (status IN ('QUEUED', 'SENDING'));

-- CreateIndex
CREATE INDEX "OutboundMessage_recent_idx" ON "OutboundMessage"("groupId", "updatedAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "OutboundMessage_provider_id_idx" ON "OutboundMessage"("senderAccountId", "providerMessageId") WHERE ("providerMessageId" IS NOT NULL);

-- CreateIndex
CREATE UNIQUE INDEX "OutboundMessage_groupId_sourceRef_key" ON "OutboundMessage"("groupId", "sourceRef");

-- CreateIndex
CREATE INDEX "DeliveryReservation_groupId_idx" ON "DeliveryReservation"("groupId");

-- CreateIndex
CREATE INDEX "DeliveryReservation_senderAccountId_idx" ON "DeliveryReservation"("senderAccountId");

-- CreateIndex
CREATE INDEX "DeliveryReservation_createdAt_idx" ON "DeliveryReservation"("createdAt");

-- CreateIndex
CREATE INDEX "DeliveryWorker_heartbeatAt_idx" ON "DeliveryWorker"("heartbeatAt");

-- AddForeignKey
ALTER TABLE "MessageContent" ADD CONSTRAINT "MessageContent_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MessageAttachment" ADD CONSTRAINT "MessageAttachment_contentId_fkey" FOREIGN KEY ("contentId") REFERENCES "MessageContent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrackedLink" ADD CONSTRAINT "TrackedLink_contentId_fkey" FOREIGN KEY ("contentId") REFERENCES "MessageContent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeliveryGroup" ADD CONSTRAINT "DeliveryGroup_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeliveryCounter" ADD CONSTRAINT "DeliveryCounter_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "DeliveryGroup"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OutboundMessage" ADD CONSTRAINT "OutboundMessage_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "DeliveryGroup"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OutboundMessage" ADD CONSTRAINT "OutboundMessage_contentId_fkey" FOREIGN KEY ("contentId") REFERENCES "MessageContent"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OutboundMessage" ADD CONSTRAINT "OutboundMessage_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OutboundMessage" ADD CONSTRAINT "OutboundMessage_senderAccountId_fkey" FOREIGN KEY ("senderAccountId") REFERENCES "SenderAccount"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DeliveryReservation" ADD CONSTRAINT "DeliveryReservation_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "DeliveryGroup"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Exact per-group counts (docs/adr/005): statement-level triggers aggregate each statement's rows
-- once and add them to one counter row per group and connection shard, so concurrent writers
-- rarely wait on each other and progress never has to recount a group's messages.
CREATE FUNCTION delivery_counter_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "DeliveryCounter" AS c ("groupId", shard, "total", "pending", "queued", "sending", "sent", "delivered", "failed", "bounced", "cancelled", "skipped", "accepted", "opened", "openedMachine", "clicked", "clickedMachine", "replied", "unsubscribed")
    SELECT n."groupId", (pg_backend_pid() % 8)::smallint,
           count(*)::int,
           sum((n.status = 'PENDING')::int)::int,
           sum((n.status = 'QUEUED')::int)::int,
           sum((n.status = 'SENDING')::int)::int,
           sum((n.status = 'SENT')::int)::int,
           sum((n.status = 'DELIVERED')::int)::int,
           sum((n.status = 'FAILED')::int)::int,
           sum((n.status = 'BOUNCED')::int)::int,
           sum((n.status = 'CANCELLED')::int)::int,
           sum((n.status = 'SKIPPED')::int)::int,
           sum((n."sentAt" IS NOT NULL)::int)::int,
           sum((n."openedAt" IS NOT NULL)::int)::int,
           sum((n."machineOpenedAt" IS NOT NULL)::int)::int,
           sum((n."clickedAt" IS NOT NULL)::int)::int,
           sum((n."machineClickedAt" IS NOT NULL)::int)::int,
           sum((n."repliedAt" IS NOT NULL)::int)::int,
           sum((n."unsubscribedAt" IS NOT NULL)::int)::int
    FROM new_rows n GROUP BY n."groupId"
    ON CONFLICT ("groupId", shard) DO UPDATE SET
      "total" = c."total" + EXCLUDED."total",
      "pending" = c."pending" + EXCLUDED."pending",
      "queued" = c."queued" + EXCLUDED."queued",
      "sending" = c."sending" + EXCLUDED."sending",
      "sent" = c."sent" + EXCLUDED."sent",
      "delivered" = c."delivered" + EXCLUDED."delivered",
      "failed" = c."failed" + EXCLUDED."failed",
      "bounced" = c."bounced" + EXCLUDED."bounced",
      "cancelled" = c."cancelled" + EXCLUDED."cancelled",
      "skipped" = c."skipped" + EXCLUDED."skipped",
      "accepted" = c."accepted" + EXCLUDED."accepted",
      "opened" = c."opened" + EXCLUDED."opened",
      "openedMachine" = c."openedMachine" + EXCLUDED."openedMachine",
      "clicked" = c."clicked" + EXCLUDED."clicked",
      "clickedMachine" = c."clickedMachine" + EXCLUDED."clickedMachine",
      "replied" = c."replied" + EXCLUDED."replied",
      "unsubscribed" = c."unsubscribed" + EXCLUDED."unsubscribed";
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "DeliveryCounter" AS c ("groupId", shard, "total", "pending", "queued", "sending", "sent", "delivered", "failed", "bounced", "cancelled", "skipped", "accepted", "opened", "openedMachine", "clicked", "clickedMachine", "replied", "unsubscribed")
    SELECT o."groupId", (pg_backend_pid() % 8)::smallint,
           -count(*)::int,
           -sum((o.status = 'PENDING')::int)::int,
           -sum((o.status = 'QUEUED')::int)::int,
           -sum((o.status = 'SENDING')::int)::int,
           -sum((o.status = 'SENT')::int)::int,
           -sum((o.status = 'DELIVERED')::int)::int,
           -sum((o.status = 'FAILED')::int)::int,
           -sum((o.status = 'BOUNCED')::int)::int,
           -sum((o.status = 'CANCELLED')::int)::int,
           -sum((o.status = 'SKIPPED')::int)::int,
           -sum((o."sentAt" IS NOT NULL)::int)::int,
           -sum((o."openedAt" IS NOT NULL)::int)::int,
           -sum((o."machineOpenedAt" IS NOT NULL)::int)::int,
           -sum((o."clickedAt" IS NOT NULL)::int)::int,
           -sum((o."machineClickedAt" IS NOT NULL)::int)::int,
           -sum((o."repliedAt" IS NOT NULL)::int)::int,
           -sum((o."unsubscribedAt" IS NOT NULL)::int)::int
    FROM old_rows o GROUP BY o."groupId"
    ON CONFLICT ("groupId", shard) DO UPDATE SET
      "total" = c."total" + EXCLUDED."total",
      "pending" = c."pending" + EXCLUDED."pending",
      "queued" = c."queued" + EXCLUDED."queued",
      "sending" = c."sending" + EXCLUDED."sending",
      "sent" = c."sent" + EXCLUDED."sent",
      "delivered" = c."delivered" + EXCLUDED."delivered",
      "failed" = c."failed" + EXCLUDED."failed",
      "bounced" = c."bounced" + EXCLUDED."bounced",
      "cancelled" = c."cancelled" + EXCLUDED."cancelled",
      "skipped" = c."skipped" + EXCLUDED."skipped",
      "accepted" = c."accepted" + EXCLUDED."accepted",
      "opened" = c."opened" + EXCLUDED."opened",
      "openedMachine" = c."openedMachine" + EXCLUDED."openedMachine",
      "clicked" = c."clicked" + EXCLUDED."clicked",
      "clickedMachine" = c."clickedMachine" + EXCLUDED."clickedMachine",
      "replied" = c."replied" + EXCLUDED."replied",
      "unsubscribed" = c."unsubscribed" + EXCLUDED."unsubscribed";
  ELSE
    INSERT INTO "DeliveryCounter" AS c ("groupId", shard, "total", "pending", "queued", "sending", "sent", "delivered", "failed", "bounced", "cancelled", "skipped", "accepted", "opened", "openedMachine", "clicked", "clickedMachine", "replied", "unsubscribed")
    SELECT n."groupId", (pg_backend_pid() % 8)::smallint,
           0,
           sum((n.status = 'PENDING')::int - (o.status = 'PENDING')::int)::int,
           sum((n.status = 'QUEUED')::int - (o.status = 'QUEUED')::int)::int,
           sum((n.status = 'SENDING')::int - (o.status = 'SENDING')::int)::int,
           sum((n.status = 'SENT')::int - (o.status = 'SENT')::int)::int,
           sum((n.status = 'DELIVERED')::int - (o.status = 'DELIVERED')::int)::int,
           sum((n.status = 'FAILED')::int - (o.status = 'FAILED')::int)::int,
           sum((n.status = 'BOUNCED')::int - (o.status = 'BOUNCED')::int)::int,
           sum((n.status = 'CANCELLED')::int - (o.status = 'CANCELLED')::int)::int,
           sum((n.status = 'SKIPPED')::int - (o.status = 'SKIPPED')::int)::int,
           sum((n."sentAt" IS NOT NULL)::int - (o."sentAt" IS NOT NULL)::int)::int,
           sum((n."openedAt" IS NOT NULL)::int - (o."openedAt" IS NOT NULL)::int)::int,
           sum((n."machineOpenedAt" IS NOT NULL)::int - (o."machineOpenedAt" IS NOT NULL)::int)::int,
           sum((n."clickedAt" IS NOT NULL)::int - (o."clickedAt" IS NOT NULL)::int)::int,
           sum((n."machineClickedAt" IS NOT NULL)::int - (o."machineClickedAt" IS NOT NULL)::int)::int,
           sum((n."repliedAt" IS NOT NULL)::int - (o."repliedAt" IS NOT NULL)::int)::int,
           sum((n."unsubscribedAt" IS NOT NULL)::int - (o."unsubscribedAt" IS NOT NULL)::int)::int
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    GROUP BY n."groupId"
    HAVING sum((n.status = 'PENDING')::int - (o.status = 'PENDING')::int) <> 0 OR sum((n.status = 'QUEUED')::int - (o.status = 'QUEUED')::int) <> 0 OR sum((n.status = 'SENDING')::int - (o.status = 'SENDING')::int) <> 0 OR sum((n.status = 'SENT')::int - (o.status = 'SENT')::int) <> 0 OR sum((n.status = 'DELIVERED')::int - (o.status = 'DELIVERED')::int) <> 0 OR sum((n.status = 'FAILED')::int - (o.status = 'FAILED')::int) <> 0 OR sum((n.status = 'BOUNCED')::int - (o.status = 'BOUNCED')::int) <> 0 OR sum((n.status = 'CANCELLED')::int - (o.status = 'CANCELLED')::int) <> 0 OR sum((n.status = 'SKIPPED')::int - (o.status = 'SKIPPED')::int) <> 0 OR sum((n."sentAt" IS NOT NULL)::int - (o."sentAt" IS NOT NULL)::int) <> 0 OR sum((n."openedAt" IS NOT NULL)::int - (o."openedAt" IS NOT NULL)::int) <> 0 OR sum((n."machineOpenedAt" IS NOT NULL)::int - (o."machineOpenedAt" IS NOT NULL)::int) <> 0 OR sum((n."clickedAt" IS NOT NULL)::int - (o."clickedAt" IS NOT NULL)::int) <> 0 OR sum((n."machineClickedAt" IS NOT NULL)::int - (o."machineClickedAt" IS NOT NULL)::int) <> 0 OR sum((n."repliedAt" IS NOT NULL)::int - (o."repliedAt" IS NOT NULL)::int) <> 0 OR sum((n."unsubscribedAt" IS NOT NULL)::int - (o."unsubscribedAt" IS NOT NULL)::int) <> 0
    ON CONFLICT ("groupId", shard) DO UPDATE SET
      "total" = c."total" + EXCLUDED."total",
      "pending" = c."pending" + EXCLUDED."pending",
      "queued" = c."queued" + EXCLUDED."queued",
      "sending" = c."sending" + EXCLUDED."sending",
      "sent" = c."sent" + EXCLUDED."sent",
      "delivered" = c."delivered" + EXCLUDED."delivered",
      "failed" = c."failed" + EXCLUDED."failed",
      "bounced" = c."bounced" + EXCLUDED."bounced",
      "cancelled" = c."cancelled" + EXCLUDED."cancelled",
      "skipped" = c."skipped" + EXCLUDED."skipped",
      "accepted" = c."accepted" + EXCLUDED."accepted",
      "opened" = c."opened" + EXCLUDED."opened",
      "openedMachine" = c."openedMachine" + EXCLUDED."openedMachine",
      "clicked" = c."clicked" + EXCLUDED."clicked",
      "clickedMachine" = c."clickedMachine" + EXCLUDED."clickedMachine",
      "replied" = c."replied" + EXCLUDED."replied",
      "unsubscribed" = c."unsubscribed" + EXCLUDED."unsubscribed";
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "OutboundMessage_count_insert" AFTER INSERT ON "OutboundMessage"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION delivery_counter_add();
CREATE TRIGGER "OutboundMessage_count_update" AFTER UPDATE ON "OutboundMessage"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION delivery_counter_add();
CREATE TRIGGER "OutboundMessage_count_delete" AFTER DELETE ON "OutboundMessage"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION delivery_counter_add();

-- Carry started campaigns over: their content (id = campaign id), delivery group and messages.
-- Messages that were in flight go back to PENDING, or, when they may have reached the provider,
-- stay SENDING with no live worker so the recovery sweep reconciles them.
INSERT INTO "MessageContent" ("id", "organizationId", "subject", "htmlBody", "textBody", "fromName", "replyTo",
                              "trackOpens", "trackClicks", "variables", "createdAt")
SELECT c."id", c."organizationId", c."subject", c."htmlBody", c."textBody", c."fromName", c."replyTo",
       c."trackOpens", c."trackClicks", jsonb_build_object('campaign', jsonb_build_object('name', c."name")),
       COALESCE(c."startedAt", c."createdAt")
FROM "Campaign" c WHERE EXISTS (SELECT 1 FROM "CampaignRecipient" r WHERE r."campaignId" = c."id");

INSERT INTO "MessageAttachment" ("contentId", "position", "filename", "contentType", "data", "size")
SELECT a."campaignId", (row_number() OVER (PARTITION BY a."campaignId" ORDER BY a."createdAt", a."id") - 1)::int,
       a."filename", a."contentType", a."content", a."size"
FROM "CampaignAttachment" a JOIN "MessageContent" m ON m."id" = a."campaignId";

INSERT INTO "DeliveryGroup" ("id", "organizationId", "sourceType", "state", "dailyLimit", "timezone", "batchHistory", "nextBatchAt")
SELECT c."id", c."organizationId", 'CAMPAIGN',
       (CASE c."status" WHEN 'PAUSED' THEN 'PAUSED' WHEN 'CANCELLED' THEN 'CANCELLED' ELSE 'ACTIVE' END)::"DeliveryGroupState",
       c."dailySendLimit", o."timezone", c."batchHistory", c."nextBatchAt"
FROM "Campaign" c JOIN "Organization" o ON o."id" = c."organizationId"
WHERE EXISTS (SELECT 1 FROM "MessageContent" m WHERE m."id" = c."id");

INSERT INTO "OutboundMessage" ("id", "organizationId", "groupId", "sourceType", "sourceRef", "contentId", "contactId",
  "email", "senderAccountId", "status", "failureKind", "attempts", "nextAttemptAt", "lastError", "messageId",
  "providerMessageId", "providerThreadId", "queuedAt", "sendingAt", "handoffAt", "sentAt", "openedAt", "clickedAt",
  "repliedAt", "bouncedAt", "createdAt", "updatedAt")
SELECT r."id", r."organizationId", r."campaignId", 'CAMPAIGN', r."contactId", r."campaignId", r."contactId",
       r."email", r."senderAccountId",
       (CASE WHEN r."status" = 'QUEUED' THEN 'PENDING' ELSE r."status"::text END)::"RecipientStatus",
       (CASE WHEN r."status" <> 'FAILED' THEN NULL
             WHEN r."lastError" LIKE 'Outcome unknown%' THEN 'UNKNOWN_OUTCOME'
             ELSE 'PERMANENT' END)::"FailureKind",
       r."attempts", r."nextAttemptAt", r."lastError", r."messageId", r."providerMessageId", r."providerThreadId",
       (CASE WHEN r."status" = 'SENDING' THEN r."queuedAt" END), r."sendingAt",
       (CASE WHEN r."status" = 'SENDING' THEN r."sendingAt" END), r."sentAt", r."openedAt", r."clickedAt",
       r."repliedAt", r."bouncedAt", r."createdAt", r."updatedAt"
FROM "CampaignRecipient" r;

-- DropForeignKey
ALTER TABLE "CampaignRecipient" DROP CONSTRAINT "CampaignRecipient_campaignId_fkey";

-- DropForeignKey
ALTER TABLE "CampaignRecipient" DROP CONSTRAINT "CampaignRecipient_contactId_fkey";

-- DropForeignKey
ALTER TABLE "CampaignRecipient" DROP CONSTRAINT "CampaignRecipient_senderAccountId_fkey";

-- AlterTable
ALTER TABLE "Campaign" DROP COLUMN "batchHistory",
DROP COLUMN "bouncedCount",
DROP COLUMN "clickedCount",
DROP COLUMN "failedCount",
DROP COLUMN "nextBatchAt",
DROP COLUMN "openedCount",
DROP COLUMN "repliedCount",
DROP COLUMN "sentCount";

-- DropTable
DROP TABLE "CampaignRecipient";

