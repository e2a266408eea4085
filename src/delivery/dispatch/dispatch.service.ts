import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { DateTime } from 'luxon';
import { Clock } from '../../common/clock/clock.js';
import { conflict } from '../../common/errors/domain-error.js';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { Prisma } from '../../generated/prisma/client.js';
import { withDbRetry } from '../../prisma/db-retry.js';
import type { RawSql } from '../../prisma/direct-sql.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { usageDay } from '../../providers/usage-day.js';
import { DB_NOW } from '../ledger/db-time.js';
import {
  dispatchLockMs,
  dispatchMergeKey,
  QUEUES,
  sendJobId,
  type DispatchJob,
  type SendJob,
} from '../queues.js';
import { inSendingWindow } from '../send/sending-window.js';

interface GroupRow {
  id: string;
  organizationId: string;
  sourceType: string;
  state: string;
  dailyLimit: number | null;
  timezone: string;
  nextBatchAt: Date | null;
  batchHistory: { batch: number; startedAt: string; planned: number }[];
}

interface MailboxRow {
  id: string;
  status: string;
  timezone: string;
  minGapSeconds: number;
  windowStartMinute: number | null;
  windowEndMinute: number | null;
  windowDays: number[];
  pausedUntil: Date | null;
  /** Milliseconds until the gap allows the next send (database clock), 0 when it does now. */
  gapWaitMs: number;
  inFlight: number;
}

interface Claim {
  queued: number;
  jobs: { data: SendJob; delayMs: number }[];
}

const NOTHING: Claim = { queued: 0, jobs: [] };

/** Deletes the merge key only if it still holds the finishing job's token. */
const RELEASE_MERGE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Dispatch: turns a group's due PENDING messages into send jobs. Per mailbox, in one short
 * transaction, it reserves daily-cap capacity for a whole block (the mailbox row is locked once per
 * block, not once per message), so any number of dispatchers never exceed a cap; it writes no
 * message row. Each job claims its batch of messages with FOR UPDATE SKIP LOCKED when it runs, so
 * a message is never claimed twice. For a mailbox with a minimum gap, a job is one message,
 * delayed to its slot.
 */
@Injectable()
export class DispatchService {
  private readonly logger = new Logger(DispatchService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: Clock,
    @InjectQueue(QUEUES.dispatch) private readonly queue: Queue<DispatchJob>,
    @InjectQueue(QUEUES.send) private readonly sendQueue: Queue<SendJob>,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /**
   * Asks a worker to dispatch the group. A request while the group's dispatch job waits or runs is
   * merged into it (docs/adr/005): the merge key says one is under way, for at most the dispatch
   * lock time should that job be lost.
   */
  async enqueue(groupId: string) {
    const mergeToken = randomUUID();
    const key = dispatchMergeKey(this.config, groupId);
    let merging = false;
    try {
      const ttl = dispatchLockMs(this.config);
      if ((await this.queue.client.set(key, mergeToken, 'PX', ttl, 'NX')) !== 'OK') return;
      merging = true;
      await this.queue.add(
        'dispatch',
        { groupId, mergeToken },
        { removeOnComplete: true, removeOnFail: true },
      );
    } catch (e) {
      // Redis is away: the runner's sweep dispatches the group once it is back.
      this.logger.warn(`dispatch of ${groupId} not queued: ${String(e)}`);
      // No job owns the merge: left set, it would swallow every request (the sweep's too) until it
      // expires. If Redis cannot take this either, it expires after the dispatch lock time.
      if (merging) await this.releaseMerge(groupId, mergeToken);
    }
  }

  private releaseMerge(groupId: string, mergeToken: string) {
    return this.queue.client.eval(RELEASE_MERGE, 1, dispatchMergeKey(this.config, groupId), mergeToken).then(
      () => undefined,
      (e: unknown) => this.logger.warn(`merge of ${groupId} not released: ${String(e)}`),
    );
  }

  /**
   * Runs one dispatch job: a dispatch pass, then the merge is released (unless it has expired and
   * belongs to a newer job), so the next request queues a new job.
   */
  async run(job: DispatchJob): Promise<number> {
    try {
      return await withDbRetry(() => this.dispatch(job.groupId));
    } finally {
      if (job.mergeToken) await this.releaseMerge(job.groupId, job.mergeToken);
    }
  }

  /** Claims and enqueues what the group may send now; returns how many messages were queued. */
  async dispatch(groupId: string): Promise<number> {
    const now = this.clock.now();
    // Both at once (two pool connections): a group's first send waits for this.
    const [group, mailboxes] = await Promise.all([
      this.loadGroup(groupId),
      this.mailboxesWithDueWork(groupId),
    ]);
    // Test emails are sent at once by the process that hands them over, never dispatched.
    if (!group || group.sourceType === 'TEST' || group.state !== 'ACTIVE') return 0;
    if (group.nextBatchAt && group.nextBatchAt > now) return 0;
    let budget =
      group.dailyLimit === null ? Number.MAX_SAFE_INTEGER : group.dailyLimit - claimedToday(group, now);
    let queued = 0;
    for (const mb of mailboxes) {
      if (budget <= 0) break;
      if (mb.status !== 'ACTIVE' || (mb.pausedUntil && mb.pausedUntil > now) || !inSendingWindow(mb, now))
        continue;
      const gapped = mb.minGapSeconds > 0;
      // With a gap, about a minute's worth at a time, once the previous round is done. Without, up
      // to a block in flight, claimed in whole jobs while some are still running (each finished job
      // dispatches again): many small jobs would cost a claim and a provider call each.
      const room = gapped
        ? mb.inFlight > 0
          ? 0
          : Math.max(1, Math.ceil(60 / mb.minGapSeconds))
        : this.config.delivery.chunk - mb.inFlight;
      if (room <= 0) continue;
      if (
        !gapped &&
        mb.inFlight > 0 &&
        room < Math.min(this.config.delivery.batchSize, this.config.delivery.chunk)
      )
        continue;
      const claim = await withDbRetry(() =>
        this.prisma.sql.transaction((tx) => this.claim(tx, group, mb, Math.min(room, budget), now)),
      );
      queued += claim.queued;
      budget -= claim.queued;
      // Each mailbox's jobs go out as soon as its block is reserved: the first send of a group does
      // not wait for the other mailboxes' claims.
      await this.enqueueSends(claim.jobs);
    }
    if (group.dailyLimit !== null && budget <= 0) await this.closeDay(group, now);
    return queued;
  }

  private async enqueueSends(jobs: Claim['jobs']) {
    if (!jobs.length) return;
    await this.sendQueue.addBulk(
      jobs.map((j) => ({
        name: 'send',
        data: j.data,
        opts: { jobId: sendJobId(j.data.claimToken), delay: j.delayMs },
      })),
    );
  }

  /**
   * Reserves the daily-cap slot of one PENDING message now, outside any batch (a test email sent
   * while the user waits): CONFLICT when the mailbox cannot send or its cap is spent. Returns the
   * claim to hand to the sender, which takes exactly this message.
   */
  async claimNow(messageId: string): Promise<SendJob> {
    const [m] = await this.prisma.db.$queryRaw<
      { organizationId: string; groupId: string; senderAccountId: string }[]
    >`
      SELECT "organizationId", "groupId", "senderAccountId" FROM "OutboundMessage"
      WHERE id = ${messageId}::uuid AND status = 'PENDING'`;
    if (!m) throw conflict('The message is no longer waiting to be sent');
    const now = this.clock.now();
    return withDbRetry(() =>
      this.prisma.transaction(async (tx) => {
        const [account] = await tx.$queryRaw<
          { status: string; email: string; dailyCap: number; timezone: string }[]
        >`
          SELECT status, email, "dailyCap", timezone FROM "SenderAccount" WHERE id = ${m.senderAccountId}::uuid FOR NO KEY UPDATE`;
        if (account?.status !== 'ACTIVE') {
          throw conflict(
            `Sender account ${account?.email ?? m.senderAccountId} is ${account?.status ?? 'gone'}`,
          );
        }
        await tx.$queryRaw`SELECT id FROM "DeliveryGroup" WHERE id = ${m.groupId}::uuid FOR NO KEY UPDATE`;
        const day = usageDay(account.timezone, now);
        const reserved = await tx.$queryRaw<{ sent: number }[]>`
          INSERT INTO "SenderDailyUsage" ("senderAccountId", day, sent) VALUES (${m.senderAccountId}::uuid, ${day}::date, 1)
          ON CONFLICT ("senderAccountId", day) DO UPDATE SET sent = "SenderDailyUsage".sent + 1
          WHERE "SenderDailyUsage".sent < ${account.dailyCap}
          RETURNING sent`;
        if (!reserved.length) throw conflict('The mailbox has reached its daily cap; try again tomorrow');
        const claimToken = randomUUID();
        await tx.$executeRaw`
          INSERT INTO "DeliveryReservation" (token, "groupId", "senderAccountId", day, count, "createdAt")
          VALUES (${claimToken}::uuid, ${m.groupId}::uuid, ${m.senderAccountId}::uuid, ${day}::date, 1, ${DB_NOW})`;
        return {
          organizationId: m.organizationId,
          groupId: m.groupId,
          senderAccountId: m.senderAccountId,
          claimToken,
          messageId,
        };
      }),
    );
  }

  /**
   * One block of capacity for one mailbox: as many daily-cap slots as it may use and due messages
   * wait for (those already reserved by waiting jobs excepted), recorded as reservations, one per
   * send job. No message row is written: the job claims its messages when it runs. Lock order
   * (docs/adr/005): the mailbox row, the group row, then the usage row. The mailbox row is taken
   * FOR NO KEY UPDATE: dispatchers still queue behind each other, but not behind transactions that
   * merely insert rows referencing the mailbox (their foreign-key checks hold KEY SHARE on it, e.g.
   * a campaign's recipient generation or a provider's write).
   */
  private async claim(tx: RawSql, group: GroupRow, mb: MailboxRow, want: number, now: Date): Promise<Claim> {
    const [account] = await tx.$queryRaw<{ status: string; dailyCap: number; timezone: string }[]>`
      SELECT status, "dailyCap", timezone FROM "SenderAccount" WHERE id = ${mb.id}::uuid FOR NO KEY UPDATE`;
    if (account?.status !== 'ACTIVE') return NOTHING;
    const [g] = await tx.$queryRaw<{ state: string }[]>`
      SELECT state FROM "DeliveryGroup" WHERE id = ${group.id}::uuid FOR NO KEY UPDATE`;
    if (g?.state !== 'ACTIVE') return NOTHING;
    const day = usageDay(account.timezone, now);
    // The day's usage, the capacity already reserved by waiting jobs and the due messages (counted
    // up to what could be claimed), read in one statement after the locks above.
    const reserved = Prisma.sql`COALESCE((SELECT sum(count)::int FROM "DeliveryReservation"
      WHERE "groupId" = ${group.id}::uuid AND "senderAccountId" = ${mb.id}::uuid), 0)`;
    const [row] = await tx.$queryRaw<{ used: number; reserved: number; due: number }[]>`
      SELECT COALESCE((SELECT sent FROM "SenderDailyUsage" WHERE "senderAccountId" = ${mb.id}::uuid AND day = ${day}::date), 0) AS used,
             ${reserved} AS reserved,
             (SELECT count(*)::int FROM (
                SELECT 1 FROM "OutboundMessage"
                WHERE "groupId" = ${group.id}::uuid AND "senderAccountId" = ${mb.id}::uuid AND status = 'PENDING'
                  AND ("nextAttemptAt" IS NULL OR "nextAttemptAt" <= ${now})
                LIMIT ${want} + ${reserved}) d) AS due`;
    const capacity = Math.min(want, account.dailyCap - row.used);
    const count = Math.min(capacity, row.due - row.reserved);
    if (count <= 0) return NOTHING;
    await tx.$executeRaw`
      INSERT INTO "SenderDailyUsage" ("senderAccountId", day, sent) VALUES (${mb.id}::uuid, ${day}::date, ${count})
      ON CONFLICT ("senderAccountId", day) DO UPDATE SET sent = "SenderDailyUsage".sent + EXCLUDED.sent`;
    if (group.dailyLimit !== null) await this.recordBatch(tx, group, count, now);
    const size = mb.minGapSeconds > 0 ? 1 : this.config.delivery.batchSize;
    const sizes = Array.from({ length: Math.ceil(count / size) }, (_, i) => Math.min(size, count - i * size));
    const tokens = sizes.map(() => randomUUID());
    await tx.$executeRaw`
      INSERT INTO "DeliveryReservation" (token, "groupId", "senderAccountId", day, count, "createdAt")
      SELECT u.token, ${group.id}::uuid, ${mb.id}::uuid, ${day}::date, u.count, ${DB_NOW}
      FROM unnest(${tokens}::uuid[], ${sizes}::int[]) AS u(token, count)`;
    return {
      queued: count,
      jobs: tokens.map((claimToken, i) => ({
        data: { organizationId: group.organizationId, groupId: group.id, senderAccountId: mb.id, claimToken },
        delayMs: mb.minGapSeconds > 0 ? mb.gapWaitMs + i * mb.minGapSeconds * 1000 : 0,
      })),
    };
  }

  private async loadGroup(groupId: string): Promise<GroupRow | null> {
    const [g] = await this.prisma.sql.$queryRaw<GroupRow[]>`
      SELECT id, "organizationId", "sourceType"::text AS "sourceType", state::text AS state, "dailyLimit", timezone,
             "nextBatchAt", "batchHistory"
      FROM "DeliveryGroup" WHERE id = ${groupId}::uuid`;
    return g ?? null;
  }

  /**
   * The group's mailboxes that have due PENDING messages, with what dispatch needs to know of
   * them. A skip scan over the pending index: one probe per mailbox, however many messages wait.
   */
  private mailboxesWithDueWork(groupId: string) {
    return this.prisma.sql.$queryRaw<MailboxRow[]>`
      WITH RECURSIVE mb AS (
        (SELECT "senderAccountId" AS id FROM "OutboundMessage"
          WHERE "groupId" = ${groupId}::uuid AND status = 'PENDING' AND "senderAccountId" IS NOT NULL
          ORDER BY "senderAccountId" LIMIT 1)
        UNION ALL
        SELECT (SELECT "senderAccountId" FROM "OutboundMessage"
                 WHERE "groupId" = ${groupId}::uuid AND status = 'PENDING' AND "senderAccountId" > mb.id
                 ORDER BY "senderAccountId" LIMIT 1)
        FROM mb WHERE mb.id IS NOT NULL
      )
      SELECT s.id, s.status::text, s.timezone, s."minGapSeconds", s."windowStartMinute", s."windowEndMinute",
             s."windowDays", s."pausedUntil",
             GREATEST(COALESCE(EXTRACT(EPOCH FROM (s."nextSendAt" - (clock_timestamp() AT TIME ZONE 'UTC'))) * 1000, 0), 0)::int AS "gapWaitMs",
             (SELECT count(*)::int FROM "OutboundMessage" q WHERE q."senderAccountId" = s.id AND q.status = 'SENDING')
             + COALESCE((SELECT sum(count)::int FROM "DeliveryReservation" r WHERE r."senderAccountId" = s.id), 0) AS "inFlight"
      FROM mb JOIN "SenderAccount" s ON s.id = mb.id`;
  }

  /** The first claim of a day opens a batch in the history, later claims that day add to it. */
  private async recordBatch(tx: RawSql, group: GroupRow, queued: number, now: Date) {
    const history = [...group.batchHistory];
    const last = history.at(-1);
    if (last && sameDay(last.startedAt, now, group.timezone)) {
      history[history.length - 1] = { ...last, planned: last.planned + queued };
    } else {
      history.push({ batch: history.length + 1, startedAt: now.toISOString(), planned: queued });
    }
    group.batchHistory = history;
    await tx.$executeRaw`
      UPDATE "DeliveryGroup" SET "batchHistory" = ${JSON.stringify(history)}::jsonb, "nextBatchAt" = NULL, "updatedAt" = ${now}
      WHERE id = ${group.id}::uuid`;
  }

  /** The day's limit is used up: while messages wait, the next batch starts at the next day. */
  private async closeDay(group: GroupRow, now: Date) {
    const next = DateTime.fromJSDate(now).setZone(group.timezone).startOf('day').plus({ days: 1 }).toJSDate();
    await this.prisma.sql.$executeRaw`
      UPDATE "DeliveryGroup" g SET "nextBatchAt" = ${next}, "updatedAt" = ${now}
      WHERE g.id = ${group.id}::uuid AND EXISTS (
        SELECT 1 FROM "OutboundMessage" m WHERE m."groupId" = g.id AND m.status = 'PENDING')`;
  }
}

function sameDay(iso: string, now: Date, timezone: string) {
  const a = DateTime.fromISO(iso).setZone(timezone);
  const b = DateTime.fromJSDate(now).setZone(timezone);
  return a.hasSame(b, 'day');
}

/** Claims the group made today (its time zone), from the batch history. */
function claimedToday(group: GroupRow, now: Date) {
  const last = group.batchHistory.at(-1);
  return last && sameDay(last.startedAt, now, group.timezone) ? last.planned : 0;
}
