import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { CampaignLifecycleService } from '../../campaigns/campaign-lifecycle.service.js';
import { SYSTEM } from '../../common/events/event-log.js';
import { Prisma } from '../../generated/prisma/client.js';
import { QUEUES, type DispatchJob } from '../queues.js';

/** Start of the organization's current day, and of the next one (SQL over alias o = "Organization"). */
const dayStartSql = Prisma.sql`(date_trunc('day', now() AT TIME ZONE o.timezone) AT TIME ZONE o.timezone)`;
const nextDayStartSql = Prisma.sql`((date_trunc('day', now() AT TIME ZONE o.timezone) + interval '1 day') AT TIME ZONE o.timezone)`;
import { inSendingWindowSql } from '../send/mailbox-window.js';
import { SendQueue } from '../send/send-queue.js';

/**
 * Dispatch: turns a SENDING campaign's due PENDING recipients into send jobs. Recipients are
 * claimed with FOR UPDATE SKIP LOCKED (several dispatchers never claim the same one), per mailbox
 * no more than its remaining daily cap, spaced by its minimum gap, and only while the mailbox is in
 * its sending window.
 */
@Injectable()
export class DispatchService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sends: SendQueue,
    private readonly lifecycle: CampaignLifecycleService,
    @InjectQueue(QUEUES.dispatch) private readonly queue: Queue<DispatchJob>,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /** Asks a worker to dispatch the campaign; one waiting dispatch per campaign at a time. */
  async enqueue(campaignId: string) {
    await this.queue.add(
      'dispatch',
      { campaignId },
      { jobId: `dispatch:${campaignId}`, removeOnComplete: true, removeOnFail: true },
    );
  }

  /** A delayed job that starts the campaign at `scheduledAt` (one per campaign and start time). */
  async enqueueStart(campaignId: string, scheduledAt: Date) {
    await this.queue.add(
      'start',
      { campaignId },
      {
        jobId: `start:${campaignId}:${scheduledAt.getTime()}`,
        delay: Math.max(0, scheduledAt.getTime() - Date.now()),
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  /** Claims and enqueues what the campaign may send now; returns how many were queued. */
  async dispatch(campaignId: string): Promise<number> {
    let budget = await this.dailyBudget(campaignId);
    if (budget !== null && budget <= 0) return 0;
    const mailboxes = await this.prisma.db.$queryRaw<
      {
        senderAccountId: string;
        email: string;
        status: string;
        organizationId: string;
        in_window: boolean;
        remaining: number;
        in_flight: number;
        waiting: number;
        minGapSeconds: number;
        wait_ms: number;
      }[]
    >`SELECT s.id AS "senderAccountId", s.email, s.status, s."organizationId", s."minGapSeconds",
             ${inSendingWindowSql} AS in_window, f.in_flight,
             GREATEST(s."dailyCap" - COALESCE(u.sent, 0) - f.in_flight, 0)::int AS remaining,
             (SELECT count(*)::int FROM "CampaignRecipient" p
               WHERE p."campaignId" = cs."campaignId" AND p."senderAccountId" = s.id AND p.status = 'PENDING') AS waiting,
             GREATEST(COALESCE(EXTRACT(EPOCH FROM (s."nextSendAt" - now())) * 1000, 0), 0)::int AS wait_ms
      FROM "CampaignSenderAccount" cs
      JOIN "SenderAccount" s ON s.id = cs."senderAccountId"
      LEFT JOIN "SenderDailyUsage" u ON u."senderAccountId" = s.id AND u.day = (now() AT TIME ZONE s.timezone)::date
      CROSS JOIN LATERAL (
        SELECT count(*)::int AS in_flight FROM "CampaignRecipient" q
        WHERE q."senderAccountId" = s.id AND q.status IN ('QUEUED', 'SENDING')
      ) f
      WHERE cs."campaignId" = ${campaignId}::uuid
      ORDER BY cs.position`;
    // A mailbox that can no longer send (disconnected elsewhere) would leave its recipients waiting
    // forever: end the campaign with the reason instead, as a failed send would.
    const broken = mailboxes.find((m) => m.status !== 'ACTIVE' && m.waiting > 0);
    if (broken) {
      await this.lifecycle.fail(
        broken.organizationId,
        campaignId,
        `Sender account ${broken.email} is ${broken.status}: reconnect it, then retry the failed recipients`,
        SYSTEM('dispatch'),
      );
      return 0;
    }
    let queued = 0;
    for (const mb of mailboxes) {
      if (mb.status !== 'ACTIVE' || !mb.in_window) continue;
      // With a gap, claim about a minute's worth, spaced by the gap, once the previous round is done.
      if (mb.minGapSeconds > 0 && mb.in_flight > 0) continue;
      const perRound =
        mb.minGapSeconds > 0 ? Math.max(1, Math.ceil(60 / mb.minGapSeconds)) : this.config.delivery.chunk;
      const limit = Math.min(mb.remaining, perRound, budget ?? Number.MAX_SAFE_INTEGER);
      if (limit <= 0) continue;
      const claimed = await this.prisma.db.$queryRaw<{ id: string; queuedAt: Date }[]>`
        UPDATE "CampaignRecipient" SET status = 'QUEUED', "queuedAt" = now(), "updatedAt" = now()
        WHERE id IN (
          SELECT r.id FROM "CampaignRecipient" r
          WHERE r."campaignId" = ${campaignId}::uuid AND r."senderAccountId" = ${mb.senderAccountId}::uuid
            AND r.status = 'PENDING' AND (r."nextAttemptAt" IS NULL OR r."nextAttemptAt" <= now())
            AND EXISTS (SELECT 1 FROM "Campaign" c WHERE c.id = r."campaignId" AND c.status = 'SENDING')
          ORDER BY r."createdAt", r.id
          LIMIT ${limit}
          FOR UPDATE OF r SKIP LOCKED
        )
        RETURNING id, "queuedAt"`;
      const gapMs = mb.minGapSeconds * 1000;
      await this.sends.enqueueRecipients(
        claimed,
        claimed.map((_, i) => mb.wait_ms + i * gapMs),
      );
      queued += claimed.length;
      if (budget !== null) budget -= claimed.length;
    }
    if (budget !== null) await this.recordBatch(campaignId, queued, budget);
    return queued;
  }

  /**
   * With a daily send limit: how many more the campaign may claim today (the organization's day);
   * null without a limit. A new day starts a new batch.
   */
  private async dailyBudget(campaignId: string): Promise<number | null> {
    const [row] = await this.prisma.db.$queryRaw<{ limit: number | null; today: number }[]>`
      SELECT c."dailySendLimit" AS limit,
             (SELECT count(*)::int FROM "CampaignRecipient" r
               WHERE r."campaignId" = c.id AND r."queuedAt" >= ${dayStartSql}) AS today
      FROM "Campaign" c JOIN "Organization" o ON o.id = c."organizationId"
      WHERE c.id = ${campaignId}::uuid`;
    if (!row || row.limit === null) return null;
    return row.limit - row.today;
  }

  /**
   * Keeps the batch history: the first claim of a day opens a batch, later claims that day add to
   * it; when the day's limit is used up while recipients wait, nextBatchAt is the next day's start.
   */
  private async recordBatch(campaignId: string, queued: number, budgetLeft: number) {
    if (queued > 0) {
      await this.prisma.db.$executeRaw`
        UPDATE "Campaign" c SET "batchHistory" = CASE
          WHEN jsonb_array_length(c."batchHistory") > 0
           AND (c."batchHistory"->-1->>'startedAt')::timestamptz >= ${dayStartSql}
          THEN jsonb_set(c."batchHistory", ARRAY[(jsonb_array_length(c."batchHistory") - 1)::text, 'planned'],
                 to_jsonb((c."batchHistory"->-1->>'planned')::int + ${queued}))
          ELSE c."batchHistory" || jsonb_build_array(jsonb_build_object(
                 'batch', jsonb_array_length(c."batchHistory") + 1, 'startedAt', now(), 'planned', ${queued}::int))
          END,
          "nextBatchAt" = NULL
        FROM "Organization" o WHERE o.id = c."organizationId" AND c.id = ${campaignId}::uuid`;
    }
    if (budgetLeft <= 0) {
      await this.prisma.db.$executeRaw`
        UPDATE "Campaign" c SET "nextBatchAt" = ${nextDayStartSql}
        FROM "Organization" o WHERE o.id = c."organizationId" AND c.id = ${campaignId}::uuid
          AND EXISTS (SELECT 1 FROM "CampaignRecipient" r WHERE r."campaignId" = c.id AND r.status = 'PENDING')`;
    }
  }

  /** SENDING campaigns with PENDING recipients that are due now (the runner enqueues their dispatch). */
  async campaignsWithDueWork(): Promise<string[]> {
    const rows = await this.prisma.db.$queryRaw<{ id: string }[]>`
      SELECT DISTINCT c.id FROM "Campaign" c
      JOIN "CampaignRecipient" r ON r."campaignId" = c.id
      WHERE c.status = 'SENDING' AND (c."nextBatchAt" IS NULL OR c."nextBatchAt" <= now())
        AND r.status = 'PENDING' AND (r."nextAttemptAt" IS NULL OR r."nextAttemptAt" <= now())`;
    return rows.map((r) => r.id);
  }
}
