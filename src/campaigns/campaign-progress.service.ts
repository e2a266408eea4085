import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { PubSubService } from '../common/pubsub/pubsub.service.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { CampaignsService } from './campaigns.service.js';

const FINAL = ['SENT', 'DELIVERED', 'FAILED', 'BOUNCED', 'CANCELLED', 'SKIPPED'];
const COALESCE_MS = 250;

/** Campaign progress: computed from the recipients, published coalesced over Redis PubSub. */
@Injectable()
export class CampaignProgressService implements OnModuleDestroy {
  private readonly logger = new Logger(CampaignProgressService.name);
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly pubsub: PubSubService,
    private readonly campaigns: CampaignsService,
  ) {}

  /** The campaign with counts by status, engagement, progress %, delivery rate %, recent recipients and events. */
  async snapshot(organizationId: string, campaignId: string) {
    const campaign = await this.campaigns.get(organizationId, campaignId);
    const [groups, engagement, recentRecipients, events] = await Promise.all([
      this.prisma.db.campaignRecipient.groupBy({
        by: ['status'],
        where: { campaignId },
        _count: { _all: true },
      }),
      this.prisma.db.campaignRecipient.aggregate({
        where: { campaignId },
        _count: { openedAt: true, clickedAt: true, repliedAt: true },
      }),
      this.prisma.db.campaignRecipient.findMany({
        where: { campaignId },
        orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
        take: 20,
      }),
      this.prisma.db.event.findMany({
        where: { organizationId, campaignId },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: 20,
      }),
    ]);
    const by = Object.fromEntries(groups.map((g) => [g.status, g._count._all])) as Record<string, number>;
    const n = (s: string) => by[s] ?? 0;
    const total = groups.reduce((sum, g) => sum + g._count._all, 0);
    const finished = FINAL.reduce((sum, s) => sum + n(s), 0);
    const delivered = n('SENT') + n('DELIVERED');
    const attempted = delivered + n('FAILED') + n('BOUNCED');
    const pct = (a: number, b: number) => (b ? Math.round((a / b) * 10000) / 100 : 0);
    return {
      campaign,
      stats: {
        total,
        pending: n('PENDING'),
        queued: n('QUEUED'),
        sending: n('SENDING'),
        sent: n('SENT'),
        delivered: n('DELIVERED'),
        failed: n('FAILED'),
        bounced: n('BOUNCED'),
        cancelled: n('CANCELLED'),
        skipped: n('SKIPPED'),
        opened: engagement._count.openedAt,
        clicked: engagement._count.clickedAt,
        replied: engagement._count.repliedAt,
        progress: pct(finished, total),
        deliveryRate: pct(delivered, attempted),
      },
      recentRecipients,
      recentEvents: events.map((e) => ({ ...e, data: JSON.stringify(e.data) })),
    };
  }

  /**
   * Notes that the campaign changed. Publishing is coalesced: at most one snapshot per campaign
   * every 250 ms from this process, whatever the number of sends.
   */
  touch(organizationId: string, campaignId: string) {
    if (this.pending.has(campaignId)) return;
    const timer = setTimeout(() => {
      this.pending.delete(campaignId);
      this.publishNow(organizationId, campaignId).catch((e: unknown) =>
        this.logger.warn(`progress of ${campaignId} not published: ${String(e)}`),
      );
    }, COALESCE_MS);
    timer.unref();
    this.pending.set(campaignId, timer);
  }

  async publishNow(organizationId: string, campaignId: string) {
    const snapshot = await this.snapshot(organizationId, campaignId);
    await this.pubsub.publish(organizationId, 'campaign.progress', snapshot, campaignId);
  }

  /** The current snapshot first, then every published one; only ever the caller's organization's channel. */
  async *stream(organizationId: string, campaignId: string) {
    const updates = this.pubsub.subscribe(organizationId, 'campaign.progress', campaignId);
    try {
      yield await this.snapshot(organizationId, campaignId);
      for await (const update of updates) {
        if (update.campaign.organizationId !== organizationId) continue; // defence in depth
        yield update;
      }
    } finally {
      await updates.return?.();
    }
  }

  onModuleDestroy() {
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
  }
}
