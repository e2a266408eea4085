import type { Prisma } from '../../generated/prisma/client.js';
import type { Tx } from '../../prisma/prisma.service.js';
import { DB_NOW } from '../ledger/db-time.js';

/** Thrown inside a hand-off transaction to undo it (the gap slot it took is given back). */
class Stopped extends Error {}

/**
 * Marks messages as handed to the provider (an attempt is counted), only while their group is
 * ACTIVE and they are still this worker's. From this moment a crash means "maybe sent": recovery
 * asks the provider instead of sending again. Before it, a crash means "not sent": simply retried.
 * The group row is taken KEY SHARE, which pause and cancel (FOR UPDATE) wait for: once they
 * return, no hand-off starts. Returns the ids that may be sent now.
 */
export async function markHandoff(
  tx: Tx,
  groupId: string,
  workerId: string,
  ids: string[],
  at: Prisma.Sql | Date = DB_NOW,
) {
  const [group] = await tx.$queryRaw<{ state: string }[]>`
    SELECT state FROM "DeliveryGroup" WHERE id = ${groupId}::uuid FOR KEY SHARE`;
  if (group?.state !== 'ACTIVE') return new Set<string>();
  const rows = await tx.$queryRaw<{ id: string }[]>`
    UPDATE "OutboundMessage" SET "handoffAt" = ${at}, attempts = attempts + 1, "updatedAt" = ${DB_NOW}
    WHERE id = ANY(${ids}::uuid[]) AND status = 'SENDING' AND "workerId" = ${workerId}::uuid
    RETURNING id`;
  return new Set(rows.map((r) => r.id));
}

export type GateResult = { ok: true } | { ok: false; waitMs: number } | { ok: false; stopped: true };

/**
 * The hand-off of one message from a mailbox with a minimum gap: the gap is checked and moved on
 * the database clock at this very moment, in the same transaction as the hand-off, so two sends
 * of the mailbox are never closer than the gap, whatever the number of processes and their clocks.
 * Lock order: the mailbox row, then the group row, then the message.
 */
export async function gatedHandoff(
  tx: Tx,
  mailbox: { id: string; minGapSeconds: number },
  groupId: string,
  workerId: string,
  messageId: string,
): Promise<GateResult> {
  // One reading of the clock: the send is recorded at the very instant the gap was checked.
  const gate = await tx.$queryRaw<{ at: Date }[]>`
    UPDATE "SenderAccount" s SET "nextSendAt" = n.at + make_interval(secs => ${mailbox.minGapSeconds}), "lastSentAt" = n.at
    FROM (SELECT date_trunc('milliseconds', ${DB_NOW}) AS at) n
    WHERE s.id = ${mailbox.id}::uuid AND (s."nextSendAt" IS NULL OR s."nextSendAt" <= n.at)
      AND (s."pausedUntil" IS NULL OR s."pausedUntil" <= n.at)
    RETURNING n.at`;
  if (!gate.length) {
    // Waiting for the gap, or for the end of a pause its provider asked for (Retry-After, quota).
    const [row] = await tx.$queryRaw<{ wait: number }[]>`
      SELECT GREATEST(EXTRACT(EPOCH FROM (GREATEST("nextSendAt", "pausedUntil") - ${DB_NOW})) * 1000, 0)::int AS wait
      FROM "SenderAccount" WHERE id = ${mailbox.id}::uuid`;
    return { ok: false, waitMs: row?.wait ?? 0 };
  }
  const handed = await markHandoff(tx, groupId, workerId, [messageId], gate[0].at);
  if (!handed.size) throw new Stopped();
  return { ok: true };
}

export const isStopped = (e: unknown) => e instanceof Stopped;
