-- DropIndex
DROP INDEX "OutboundMessage_group_idx";

-- A deleted group's messages go first, found through the two partial indexes that together hold
-- every message of a group (waiting ones in the pending index, the others in the progress index).
CREATE OR REPLACE FUNCTION outbound_follow_deleted_group() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "OutboundMessage" WHERE "groupId" = OLD.id AND status = 'PENDING';
  DELETE FROM "OutboundMessage" WHERE "groupId" = OLD.id AND status <> 'PENDING';
  RETURN OLD;
END $$;
