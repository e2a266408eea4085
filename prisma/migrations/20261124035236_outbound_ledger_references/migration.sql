-- DropForeignKey
ALTER TABLE "OutboundMessage" DROP CONSTRAINT "OutboundMessage_groupId_fkey";

-- DropForeignKey
ALTER TABLE "OutboundMessage" DROP CONSTRAINT "OutboundMessage_contentId_fkey";

-- DropForeignKey
ALTER TABLE "OutboundMessage" DROP CONSTRAINT "OutboundMessage_contactId_fkey";

-- DropForeignKey
ALTER TABLE "OutboundMessage" DROP CONSTRAINT "OutboundMessage_senderAccountId_fkey";

-- DropIndex
DROP INDEX "OutboundMessage_recent_idx";

-- DropIndex
DROP INDEX "OutboundMessage_groupId_sourceRef_key";

-- CreateIndex
CREATE INDEX "OutboundMessage_group_idx" ON "OutboundMessage"("groupId");

-- CreateIndex
CREATE INDEX "OutboundMessage_recent_idx" ON "OutboundMessage"("groupId", "updatedAt" DESC, "id" DESC) WHERE (status <> 'PENDING');

-- CreateIndex
CREATE UNIQUE INDEX "OutboundMessage_groupId_sourceRef_key" ON "OutboundMessage"("groupId", "sourceRef") WHERE ("sourceType" <> 'CAMPAIGN');

-- What the dropped foreign keys did on delete (docs/adr/009), once per statement rather than as a
-- check per inserted row: a deleted contact's messages go with it, a deleted mailbox is cleared
-- from its messages, and a deleted group's messages go first (before its counters do).
CREATE FUNCTION outbound_follow_deleted_contacts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "OutboundMessage" m USING old_rows o WHERE m."contactId" = o.id;
  RETURN NULL;
END $$;
CREATE TRIGGER "Contact_outbound_delete" AFTER DELETE ON "Contact"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION outbound_follow_deleted_contacts();

CREATE FUNCTION outbound_follow_deleted_mailboxes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "OutboundMessage" m SET "senderAccountId" = NULL FROM old_rows o WHERE m."senderAccountId" = o.id;
  RETURN NULL;
END $$;
CREATE TRIGGER "SenderAccount_outbound_delete" AFTER DELETE ON "SenderAccount"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION outbound_follow_deleted_mailboxes();

CREATE FUNCTION outbound_follow_deleted_group() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "OutboundMessage" WHERE "groupId" = OLD.id;
  RETURN OLD;
END $$;
CREATE TRIGGER "DeliveryGroup_outbound_delete" BEFORE DELETE ON "DeliveryGroup"
  FOR EACH ROW EXECUTE FUNCTION outbound_follow_deleted_group();
