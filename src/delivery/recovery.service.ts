import { Inject, Injectable, Logger } from '@nestjs/common';
import { CampaignLifecycleService } from '../campaigns/campaign-lifecycle.service.js';
import type { ResolvedConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { DispatchService } from './dispatch/dispatch.service.js';
import { CampaignSendService } from './send/campaign-send.service.js';
import { SendQueue } from './send/send-queue.js';

/**
 * Heals what crashes leave behind, so no recipient is lost: QUEUED recipients whose job vanished
 * (Redis lost it, or the process died between claim and enqueue) go back to PENDING; recipients
 * left SENDING by a killed worker are reconciled with the provider; SENDING campaigns with due
 * work get a dispatch; campaigns with nothing left are finished.
 */
@Injectable()
export class RecoveryService {
  private readonly logger = new Logger(RecoveryService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly dispatch: DispatchService,
    private readonly sends: CampaignSendService,
    private readonly sendQueue: SendQueue,
    private readonly lifecycle: CampaignLifecycleService,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  async sweep() {
    const cutoff = new Date(Date.now() - this.config.delivery.stuckMs);
    const queued = await this.prisma.db.campaignRecipient.findMany({
      where: {
        status: 'QUEUED',
        queuedAt: { lt: cutoff },
        OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: new Date() } }],
      },
      select: { id: true, queuedAt: true },
      take: 500,
    });
    const stuckSending = await this.prisma.db.campaignRecipient.findMany({
      where: { status: 'SENDING', sendingAt: { lt: cutoff } },
      select: { id: true, queuedAt: true },
      orderBy: { sendingAt: 'asc' },
      take: 200,
    });
    // The job of the claim, still waiting or running, owns its recipient (a live send may be slow).
    const orphans = async (rows: { id: string; queuedAt: Date | null }[]) => {
      const out: string[] = [];
      for (const r of rows) {
        if (!r.queuedAt || !(await this.sendQueue.hasLiveJob({ id: r.id, queuedAt: r.queuedAt })))
          out.push(r.id);
      }
      return out;
    };
    let requeued = 0;
    for (const id of await orphans(queued)) {
      const { count } = await this.prisma.db.campaignRecipient.updateMany({
        where: { id, status: 'QUEUED' },
        data: { status: 'PENDING', queuedAt: null },
      });
      requeued += count;
    }
    const orphaned = await orphans(stuckSending);
    for (const id of orphaned) {
      await this.sends.reconcileStuck(id).catch((e: unknown) => this.logger.warn(String(e)));
    }
    await this.finalizeLeftovers();
    for (const id of await this.dispatch.campaignsWithDueWork()) await this.dispatch.enqueue(id);
    const idle = await this.prisma.db.$queryRaw<{ id: string }[]>`
      SELECT c.id FROM "Campaign" c WHERE c.status = 'SENDING' AND NOT EXISTS (
        SELECT 1 FROM "CampaignRecipient" r WHERE r."campaignId" = c.id AND r.status IN ('PENDING', 'QUEUED', 'SENDING'))`;
    for (const c of idle) await this.lifecycle.finishIfDone(c.id);
    if (requeued || orphaned.length) {
      this.logger.warn(`recovered ${requeued} queued and ${orphaned.length} sending recipients`);
    }
  }

  /**
   * Recipients of CANCELLED or FAILED campaigns that a late retry put back in the queue end with
   * their campaign (a send in flight at cancel time may come back as a transient failure).
   */
  private async finalizeLeftovers() {
    await this.prisma.db.$executeRaw`
      UPDATE "CampaignRecipient" r
      SET status = CASE WHEN c.status = 'CANCELLED' THEN 'CANCELLED'::"RecipientStatus" ELSE 'FAILED'::"RecipientStatus" END,
          "lastError" = CASE WHEN c.status = 'CANCELLED' THEN 'Campaign cancelled' ELSE COALESCE(c.error, 'Campaign failed') END,
          "updatedAt" = now()
      FROM "Campaign" c
      WHERE r."campaignId" = c.id AND c.status IN ('CANCELLED', 'FAILED') AND r.status IN ('PENDING', 'QUEUED')`;
  }
}
