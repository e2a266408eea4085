import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { QUEUES, type DispatchJob } from '../queues.js';
import { SendQueue } from '../send/send-queue.js';

/**
 * Dispatch: turns a SENDING campaign's due PENDING recipients into send jobs. Recipients are
 * claimed with FOR UPDATE SKIP LOCKED (several dispatchers never claim the same one), per mailbox
 * no more than its remaining daily cap, spaced by its minimum gap.
 */
@Injectable()
export class DispatchService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sends: SendQueue,
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

  /** Claims and enqueues what the campaign may send now; returns how many were queued. */
  async dispatch(campaignId: string): Promise<number> {
    const mailboxes = await this.prisma.db.$queryRaw<
      { senderAccountId: string; remaining: number; minGapSeconds: number; wait_ms: number }[]
    >`SELECT s.id AS "senderAccountId", s."minGapSeconds",
             GREATEST(s."dailyCap" - COALESCE(u.sent, 0) - (
               SELECT count(*) FROM "CampaignRecipient" q WHERE q."senderAccountId" = s.id AND q.status IN ('QUEUED', 'SENDING')
             ), 0)::int AS remaining,
             GREATEST(COALESCE(EXTRACT(EPOCH FROM (s."nextSendAt" - now())) * 1000, 0), 0)::int AS wait_ms
      FROM "CampaignSenderAccount" cs
      JOIN "SenderAccount" s ON s.id = cs."senderAccountId" AND s.status = 'ACTIVE'
      LEFT JOIN "SenderDailyUsage" u ON u."senderAccountId" = s.id AND u.day = (now() AT TIME ZONE s.timezone)::date
      WHERE cs."campaignId" = ${campaignId}::uuid`;
    let queued = 0;
    for (const mb of mailboxes) {
      // With a gap, claim about a minute's worth; the rest waits for the next round.
      const perRound =
        mb.minGapSeconds > 0 ? Math.max(1, Math.ceil(60 / mb.minGapSeconds)) : this.config.delivery.chunk;
      const limit = Math.min(mb.remaining, perRound);
      if (limit <= 0) continue;
      const claimed = await this.prisma.db.$queryRaw<{ id: string; attempts: number }[]>`
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
        RETURNING id, attempts`;
      const gapMs = mb.minGapSeconds * 1000;
      await this.sends.enqueueRecipients(
        claimed,
        claimed.map((_, i) => mb.wait_ms + i * gapMs),
      );
      queued += claimed.length;
    }
    return queued;
  }

  /** SENDING campaigns with PENDING recipients that are due now (the runner enqueues their dispatch). */
  async campaignsWithDueWork(): Promise<string[]> {
    const rows = await this.prisma.db.$queryRaw<{ id: string }[]>`
      SELECT DISTINCT c.id FROM "Campaign" c
      JOIN "CampaignRecipient" r ON r."campaignId" = c.id
      WHERE c.status = 'SENDING' AND r.status = 'PENDING' AND (r."nextAttemptAt" IS NULL OR r."nextAttemptAt" <= now())`;
    return rows.map((r) => r.id);
  }
}
