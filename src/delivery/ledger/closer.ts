import type { Tx } from '../../prisma/prisma.service.js';
import { DB_NOW } from './db-time.js';

/** Unsent messages of a closed group settled per statement: small enough to stay quick. */
export const CLOSE_STEP = 10_000;

/**
 * Settles up to `limit` unsent messages (PENDING, or QUEUED from before the ledger) of a CANCELLED
 * or FAILED group: they end CANCELLED, or FAILED with the group's reason. Returns how many it
 * settled; 0 once none are left. A large group is closed in steps, each its own short transaction,
 * so cancelling a million recipients never holds a transaction open for long.
 */
export async function closeUnsent(tx: Tx, groupId: string, limit = CLOSE_STEP): Promise<number> {
  // The step's messages are picked first, once (MATERIALIZED), through the pending index; then
  // updated by id, with nothing else said about the updated rows, so the id is the only way back
  // to them. Left to the planner, a join with a LIMIT subquery (or one that also named the group)
  // could rescan the group per row: on the statistics from before a million-recipient start, one
  // step of its cancel ran for minutes. QUEUED exists only from before the ledger: looked for only
  // when the group's counters say there is any.
  return tx.$executeRaw`
    WITH picked AS MATERIALIZED (
      (SELECT id FROM "OutboundMessage" WHERE "groupId" = ${groupId}::uuid AND status = 'PENDING'
       ORDER BY "groupId", "senderAccountId", "createdAt", id LIMIT ${limit})
      UNION ALL
      (SELECT id FROM "OutboundMessage" WHERE "groupId" = ${groupId}::uuid AND status = 'QUEUED'
         AND EXISTS (SELECT 1 FROM "DeliveryCounter" c WHERE c."groupId" = ${groupId}::uuid AND c.queued > 0)
       LIMIT ${limit})
    )
    UPDATE "OutboundMessage" m SET
      status = (CASE WHEN g.state = 'FAILED' THEN 'FAILED' ELSE 'CANCELLED' END)::"RecipientStatus",
      "failureKind" = (CASE WHEN g.state = 'FAILED' THEN 'SOURCE' END)::"FailureKind",
      "lastError" = COALESCE(g."closedReason", 'Cancelled'), "reservedDay" = NULL, "updatedAt" = ${DB_NOW}
    FROM picked p, "DeliveryGroup" g
    WHERE m.id = p.id AND g.id = ${groupId}::uuid AND g.state IN ('CANCELLED', 'FAILED')`;
}
