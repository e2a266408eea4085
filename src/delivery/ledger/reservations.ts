import type { Prisma } from '../../generated/prisma/client.js';
import type { Tx } from '../../prisma/prisma.service.js';

/**
 * Gives back the daily-cap slots reserved for messages that will not be sent after all (released,
 * retried later, failed, cancelled): the day's counter of each mailbox shrinks by how many of its
 * messages `where` selects. The messages are locked first (the lock order of docs/adr/005: message
 * rows, then the usage row); the caller then clears their `reservedDay` in its last statement.
 */
export async function releaseReservations(tx: Tx, where: Prisma.Sql) {
  await tx.$executeRaw`
    WITH released AS (
      SELECT "senderAccountId", "reservedDay" FROM "OutboundMessage"
      WHERE ${where} AND "reservedDay" IS NOT NULL AND "senderAccountId" IS NOT NULL
      ORDER BY id FOR UPDATE
    ), per_day AS (
      SELECT "senderAccountId", "reservedDay" AS day, count(*)::int AS n FROM released GROUP BY 1, 2
    )
    UPDATE "SenderDailyUsage" u SET sent = GREATEST(u.sent - per_day.n, 0)
    FROM per_day WHERE u."senderAccountId" = per_day."senderAccountId" AND u.day = per_day.day`;
}
