import type { Tx } from '../../prisma/prisma.service.js';
import { inSendingWindowSql } from './mailbox-window.js';

export type SlotVerdict =
  | { ok: true }
  | { ok: false; reason: 'inactive'; status: string; email: string }
  | { ok: false; reason: 'gap' | 'cap'; retryAt: Date }
  /** Outside the mailbox's sending window: dispatch claims it again once the window opens. */
  | { ok: false; reason: 'window' };

/**
 * Reserves one send from a mailbox, atomically across every worker process: the mailbox row is
 * locked for the (short) claim transaction; the sending window and the minimum gap (nextSendAt)
 * are checked; the day's counter (in the mailbox's time zone) only grows while below the daily
 * cap. A one-off test email (`oneOff`) skips the window and the gap but still counts against the cap.
 */
export async function reserveMailboxSlot(
  tx: Tx,
  senderAccountId: string,
  options: { oneOff?: boolean } = {},
): Promise<SlotVerdict> {
  const [mb] = await tx.$queryRaw<
    {
      status: string;
      email: string;
      dailyCap: number;
      minGapSeconds: number;
      timezone: string;
      wait_ms: number | null;
      in_window: boolean;
    }[]
  >`SELECT s.status, s.email, s."dailyCap", s."minGapSeconds", s.timezone, ${inSendingWindowSql} AS in_window,
           CASE WHEN s."nextSendAt" > now() THEN (EXTRACT(EPOCH FROM (s."nextSendAt" - now())) * 1000)::int END AS wait_ms
    FROM "SenderAccount" s WHERE s.id = ${senderAccountId}::uuid FOR UPDATE`;
  if (!mb) return { ok: false, reason: 'inactive', status: 'MISSING', email: senderAccountId };
  if (mb.status !== 'ACTIVE') return { ok: false, reason: 'inactive', status: mb.status, email: mb.email };
  if (!mb.in_window && !options.oneOff) return { ok: false, reason: 'window' };
  if (mb.wait_ms !== null && !options.oneOff) {
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
  // A one-off send leaves nextSendAt alone: it must not lift a quota pause or a Retry-After.
  if (!options.oneOff) {
    await tx.$executeRaw`
      UPDATE "SenderAccount" SET "lastSentAt" = now(),
        "nextSendAt" = CASE WHEN "minGapSeconds" > 0 THEN now() + make_interval(secs => "minGapSeconds") ELSE NULL END
      WHERE id = ${senderAccountId}::uuid`;
  }
  return { ok: true };
}
