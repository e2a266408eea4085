import type { Tx } from '../prisma/prisma.service.js';

/**
 * Creates one recipient per distinct contact of the campaign's lists, in one statement:
 * idempotent (ON CONFLICT DO NOTHING on campaign+contact), suppressed addresses become SKIPPED,
 * and mailboxes are assigned round-robin in the campaign's mailbox order over the contacts in a
 * stable order (oldest contact first). Returns how many rows now exist and how many are skipped.
 */
export async function generateRecipients(tx: Tx, organizationId: string, campaignId: string) {
  await tx.$executeRaw`
    WITH senders AS (
      SELECT "senderAccountId", (row_number() OVER (ORDER BY position) - 1) AS idx, count(*) OVER () AS n
      FROM "CampaignSenderAccount" WHERE "campaignId" = ${campaignId}::uuid
    ),
    contacts AS (
      SELECT DISTINCT c.id, c.email, c."createdAt"
      FROM "Contact" c
      JOIN "ContactListMember" m ON m."contactId" = c.id
      JOIN "CampaignList" cl ON cl."listId" = m."listId" AND cl."campaignId" = ${campaignId}::uuid
      WHERE c."organizationId" = ${organizationId}::uuid
    ),
    numbered AS (
      SELECT id, email, (row_number() OVER (ORDER BY "createdAt", id) - 1) AS rn FROM contacts
    )
    INSERT INTO "CampaignRecipient" ("organizationId", "campaignId", "contactId", email, "senderAccountId", status, "lastError", "updatedAt")
    SELECT ${organizationId}::uuid, ${campaignId}::uuid, n.id, n.email, s."senderAccountId",
           CASE WHEN x.id IS NULL THEN 'PENDING'::"RecipientStatus" ELSE 'SKIPPED'::"RecipientStatus" END,
           CASE WHEN x.id IS NULL THEN NULL ELSE 'Address is on the suppression list (' || x.reason || ')' END,
           now()
    FROM numbered n
    JOIN senders s ON s.idx = n.rn % s.n
    LEFT JOIN "Suppression" x ON x."organizationId" = ${organizationId}::uuid AND x.email = n.email
    ON CONFLICT ("campaignId", "contactId") DO NOTHING`;
  const [counts] = await tx.$queryRaw<{ total: bigint; skipped: bigint }[]>`
    SELECT count(*) AS total, count(*) FILTER (WHERE status = 'SKIPPED') AS skipped
    FROM "CampaignRecipient" WHERE "campaignId" = ${campaignId}::uuid`;
  return { total: Number(counts.total), skipped: Number(counts.skipped) };
}
