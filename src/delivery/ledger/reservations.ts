import type { Prisma } from '../../generated/prisma/client.js';
import type { RawSql } from '../../prisma/direct-sql.js';

/**
 * Gives back the daily-cap slots of messages that will not be sent after all (retried later,
 * failed, released): the day's counter of each mailbox shrinks by how many of its messages `where`
 * selects. The messages are locked first (lock order of docs/adr/005: message rows, then the usage
 * row); the caller then clears their `reservedDay` in its last statement.
 */
export async function releaseReservations(tx: RawSql, where: Prisma.Sql) {
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

/**
 * Drops capacity reservations that no job will use (the group was paused or closed, the job was
 * lost) and gives their slots back to the mailboxes' day counters. Returns how many were dropped.
 */
export async function dropReservations(tx: RawSql, where: Prisma.Sql): Promise<number> {
  const [row] = await tx.$queryRaw<{ n: number }[]>`
    WITH dropped AS (
      DELETE FROM "DeliveryReservation" WHERE ${where} RETURNING "senderAccountId", day, count
    ), per_day AS (
      SELECT "senderAccountId", day, sum(count)::int AS n FROM dropped GROUP BY 1, 2
    ), given_back AS (
      UPDATE "SenderDailyUsage" u SET sent = GREATEST(u.sent - per_day.n, 0)
      FROM per_day WHERE u."senderAccountId" = per_day."senderAccountId" AND u.day = per_day.day
      RETURNING 1
    )
    SELECT (SELECT count(*)::int FROM dropped) AS n`;
  return row?.n ?? 0;
}
