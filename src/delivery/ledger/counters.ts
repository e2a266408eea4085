import type { RawSql } from '../../prisma/direct-sql.js';

/** Exact counts of a group's messages, summed over the counter shards the triggers keep. */
export interface GroupStats {
  total: number;
  pending: number;
  queued: number;
  sending: number;
  sent: number;
  delivered: number;
  failed: number;
  bounced: number;
  cancelled: number;
  skipped: number;
  /** Accepted by the provider at some point (sentAt set), whatever happened later. Never decreases. */
  accepted: number;
  opened: number;
  openedMachine: number;
  clicked: number;
  clickedMachine: number;
  replied: number;
  unsubscribed: number;
  /** When the counts were read (database clock): a later reading never shows less progress. */
  at: Date;
}

const FIELDS = [
  'total',
  'pending',
  'queued',
  'sending',
  'sent',
  'delivered',
  'failed',
  'bounced',
  'cancelled',
  'skipped',
  'accepted',
  'opened',
  'openedMachine',
  'clicked',
  'clickedMachine',
  'replied',
  'unsubscribed',
] as const satisfies readonly (keyof GroupStats)[];

/** One statement, so the counts are one consistent snapshot. */
export async function groupStats(db: RawSql, groupId: string): Promise<GroupStats> {
  const [row] = await db.$queryRaw<(Record<string, bigint | null> & { at: Date; reserved: bigint })[]>`
    SELECT clock_timestamp() AS at,
           (SELECT COALESCE(sum(count), 0) FROM "DeliveryReservation" WHERE "groupId" = ${groupId}::uuid) AS reserved,
           sum(total) total, sum(pending) pending, sum(queued) queued, sum(sending) sending, sum(sent) sent,
           sum(delivered) delivered, sum(failed) failed, sum(bounced) bounced, sum(cancelled) cancelled,
           sum(skipped) skipped, sum(accepted) accepted, sum(opened) opened, sum("openedMachine") "openedMachine",
           sum(clicked) clicked, sum("clickedMachine") "clickedMachine", sum(replied) replied,
           sum(unsubscribed) unsubscribed
    FROM "DeliveryCounter" WHERE "groupId" = ${groupId}::uuid`;
  const counts = Object.fromEntries(FIELDS.map((f) => [f, Number(row?.[f] ?? 0)])) as Record<string, number>;
  // Waiting messages that a queued job has capacity for are "queued", the others "pending".
  const queued = Math.min(counts.pending, Number(row?.reserved ?? 0)) + counts.queued;
  return {
    ...counts,
    queued,
    pending: counts.pending + counts.queued - queued,
    at: row?.at ?? new Date(),
  } as GroupStats;
}

/** Messages still to be settled: waiting, queued or in a worker's hands. */
export const openCount = (s: GroupStats) => s.pending + s.queued + s.sending;
