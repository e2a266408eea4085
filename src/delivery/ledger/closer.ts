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
  return tx.$executeRaw`
    UPDATE "OutboundMessage" m SET
      status = (CASE WHEN g.state = 'FAILED' THEN 'FAILED' ELSE 'CANCELLED' END)::"RecipientStatus",
      "failureKind" = (CASE WHEN g.state = 'FAILED' THEN 'SOURCE' END)::"FailureKind",
      "lastError" = COALESCE(g."closedReason", 'Cancelled'), "reservedDay" = NULL, "updatedAt" = ${DB_NOW}
    FROM "DeliveryGroup" g
    WHERE g.id = ${groupId}::uuid AND g.state IN ('CANCELLED', 'FAILED') AND m."groupId" = g.id
      AND m.id IN (SELECT id FROM "OutboundMessage" WHERE "groupId" = ${groupId}::uuid AND status IN ('PENDING', 'QUEUED')
                   LIMIT ${limit})`;
}
