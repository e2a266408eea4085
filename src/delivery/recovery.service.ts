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
      where: { status: 'QUEUED', queuedAt: { lt: cutoff }, nextAttemptAt: { not: { gt: new Date() } } },
      select: { id: true },
      take: 500,
    });
    let requeued = 0;
    const live = queued.length ? await this.sendQueue.recipientsWithLiveJobs() : new Set<string>();
    for (const r of queued) {
      if (live.has(r.id)) continue;
      const { count } = await this.prisma.db.campaignRecipient.updateMany({
        where: { id: r.id, status: 'QUEUED' },
        data: { status: 'PENDING' },
      });
      requeued += count;
    }
    const sending = await this.prisma.db.campaignRecipient.findMany({
      where: { status: 'SENDING', sendingAt: { lt: cutoff } },
      select: { id: true },
      take: 200,
    });
    for (const r of sending)
      await this.sends.reconcileStuck(r.id).catch((e: unknown) => this.logger.warn(String(e)));
    for (const id of await this.dispatch.campaignsWithDueWork()) await this.dispatch.enqueue(id);
    const idle = await this.prisma.db.$queryRaw<{ id: string }[]>`
      SELECT c.id FROM "Campaign" c WHERE c.status = 'SENDING' AND NOT EXISTS (
        SELECT 1 FROM "CampaignRecipient" r WHERE r."campaignId" = c.id AND r.status IN ('PENDING', 'QUEUED', 'SENDING'))`;
    for (const c of idle) await this.lifecycle.finishIfDone(c.id);
    if (requeued || sending.length)
      this.logger.warn(`recovered ${requeued} queued and ${sending.length} sending recipients`);
  }
}
