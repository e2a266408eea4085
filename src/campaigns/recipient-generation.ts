import { Prisma } from '../generated/prisma/client.js';

/**
 * The recipients of a campaign, as rows for delivery's set-based hand-over: every contact of its
 * lists once (a contact on several lists is one recipient), ordered by creation and assigned to the
 * campaign's mailboxes round-robin in their given order. The source reference of a recipient is
 * its contact, so the same contact is never handed over twice for one campaign. Rows come mailbox by
 * mailbox, each mailbox's in creation order, as the hand-over wants them (cheapest to index).
 *
 * The campaign's lists are given as ids, not joined: the planner then estimates each list's own
 * size, and walks a ten-contact list's members instead of hashing every contact of the
 * organization (89 ms for ten recipients among 200,000 contacts, 0.3 ms with the ids).
 */
export function recipientRows(organizationId: string, campaignId: string, listIds: string[]): Prisma.Sql {
  return Prisma.sql`
    WITH senders AS (
      SELECT "senderAccountId", (row_number() OVER (ORDER BY position) - 1) AS idx, count(*) OVER () AS n
      FROM "CampaignSenderAccount" WHERE "campaignId" = ${campaignId}::uuid
    ),
    numbered AS (
      SELECT c.id, c.email, (row_number() OVER (ORDER BY c."createdAt", c.id) - 1) AS rn
      FROM "Contact" c
      WHERE c."organizationId" = ${organizationId}::uuid
        AND c.id IN (SELECT m."contactId" FROM "ContactListMember" m WHERE m."listId" = ANY(${listIds}::uuid[]))
    )
    SELECT n.id AS source_ref, n.id AS contact_id, n.email, s."senderAccountId" AS sender_account_id
    FROM numbered n JOIN senders s ON s.idx = n.rn % s.n
    ORDER BY s."senderAccountId", n.rn`;
}
