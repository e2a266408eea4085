import type { Tx } from '../../prisma/prisma.service.js';

export type SlotVerdict =
  | { ok: true }
  | { ok: false; reason: 'inactive'; status: string; email: string }
  | { ok: false; reason: 'gap' | 'cap'; retryAt: Date };

/**
 * Reserves one send from a mailbox, atomically across every worker process: the mailbox row is
 * locked for the (short) claim transaction, the minimum gap is checked against nextSendAt, and the
 * day's counter (in the mailbox's time zone) only grows while below the daily cap. A one-off test
 * email may skip the gap (`ignoreGap`) but still counts against the cap.
 */
export async function reserveMailboxSlot(
  tx: Tx,
  senderAccountId: string,
  options: { ignoreGap?: boolean } = {},
): Promise<SlotVerdict> {
  const [mb] = await tx.$queryRaw<
    {
      status: string;
      email: string;
      dailyCap: number;
      minGapSeconds: number;
      timezone: string;
      wait_ms: number | null;
    }[]
  >`SELECT status, email, "dailyCap", "minGapSeconds", timezone,
           CASE WHEN "nextSendAt" > now() THEN (EXTRACT(EPOCH FROM ("nextSendAt" - now())) * 1000)::int END AS wait_ms
    FROM "SenderAccount" WHERE id = ${senderAccountId}::uuid FOR UPDATE`;
  if (!mb) return { ok: false, reason: 'inactive', status: 'MISSING', email: senderAccountId };
  if (mb.status !== 'ACTIVE') return { ok: false, reason: 'inactive', status: mb.status, email: mb.email };
  if (mb.wait_ms !== null && !options.ignoreGap) {
    return { ok: false, reason: 'gap', retryAt: new Date(Date.now() + mb.wait_ms) };
  }
  const counted = await tx.$queryRaw<{ sent: number }[]>`
    INSERT INTO "SenderDailyUsage" ("senderAccountId", day, sent)
    VALUES (${senderAccountId}::uuid, (now() AT TIME ZONE ${mb.timezone})::date, 1)
    ON CONFLICT ("senderAccountId", day) DO UPDATE SET sent = "SenderDailyUsage".sent + 1
    WHERE "SenderDailyUsage".sent < ${mb.dailyCap}
    RETURNING sent`;
  if (!counted.length) {
    const [next] = await tx.$queryRaw<{ at: Date }[]>`
      SELECT ((((now() AT TIME ZONE ${mb.timezone})::date + 1)::timestamp) AT TIME ZONE ${mb.timezone}) AS at`;
    return { ok: false, reason: 'cap', retryAt: next.at };
  }
  await tx.$executeRaw`
    UPDATE "SenderAccount" SET "lastSentAt" = now(),
      "nextSendAt" = CASE WHEN "minGapSeconds" > 0 THEN now() + make_interval(secs => "minGapSeconds") ELSE NULL END
    WHERE id = ${senderAccountId}::uuid`;
  return { ok: true };
}
