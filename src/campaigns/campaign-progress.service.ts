import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Coalescer, newerSnapshots } from '../common/pubsub/progress-stream.js';
import { PubSubService } from '../common/pubsub/pubsub.service.js';
import { DeliveryService } from '../delivery/delivery.service.js';
import type { GroupStats } from '../delivery/ledger/counters.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { CampaignsService } from './campaigns.service.js';

const COALESCE_MS = 250;

const pct = (a: number, b: number) => (b ? Math.round((a / b) * 10000) / 100 : 0);

/** The API's campaign stats from the delivery group's exact counters. */
export function campaignStats(s: GroupStats) {
  const settled = s.total - s.pending - s.queued - s.sending;
  return {
    total: s.total,
    pending: s.pending,
    queued: s.queued,
    sending: s.sending,
    sent: s.accepted,
    delivered: s.delivered,
    failed: s.failed,
    bounced: s.bounced,
    cancelled: s.cancelled,
    skipped: s.skipped,
    opened: s.opened,
    openedByMachines: s.openedMachine,
    clicked: s.clicked,
    clickedByMachines: s.clickedMachine,
    replied: s.replied,
    unsubscribed: s.unsubscribed,
    progress: pct(settled, s.total),
    deliveryRate: pct(s.accepted - s.bounced, s.accepted + s.failed),
  };
}

/**
 * Campaign progress: read from the delivery group's counters (never a recount of its recipients),
 * published coalesced over Redis PubSub so any API process serves any worker's progress.
 */
@Injectable()
export class CampaignProgressService implements OnModuleDestroy {
  private readonly logger = new Logger(CampaignProgressService.name);
  private readonly publisher = new Coalescer(
    COALESCE_MS,
    (id) => this.publishNow(id),
    (id, e) => this.logger.warn(`progress of ${id} not published: ${String(e)}`),
  );

  constructor(
    private readonly prisma: PrismaService,
    private readonly pubsub: PubSubService,
    private readonly campaigns: CampaignsService,
    private readonly delivery: DeliveryService,
  ) {}

  /** The campaign with counts by status and engagement, progress %, delivery rate %, recent recipients and events. */
  async snapshot(organizationId: string, campaignId: string) {
    const campaign = await this.campaigns.get(organizationId, campaignId);
    const [stats, recentRecipients, events] = await Promise.all([
      this.delivery.stats(campaignId),
      this.delivery.recent(campaignId, 20),
      this.prisma.db.event.findMany({
        where: { organizationId, campaignId },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: 20,
      }),
    ]);
    return {
      campaign,
      stats: campaignStats(stats),
      recentRecipients,
      recentEvents: events.map((e) => ({ ...e, data: JSON.stringify(e.data) })),
      /** When the counts were read; subscribers drop a snapshot older than one already shown. */
      readAt: stats.at,
    };
  }

  /**
   * Notes that the campaign changed. Publishing is coalesced: at most one snapshot per campaign
   * every 250 ms from this process, whatever the number of sends.
   */
  touch(campaignId: string) {
    this.publisher.touch(campaignId);
  }

  async publishNow(campaignId: string) {
    const c = await this.prisma.db.campaign.findUnique({
      where: { id: campaignId },
      select: { organizationId: true },
    });
    // A snapshot is a dozen reads: only for someone who is watching, in any process.
    if (!c || !(await this.pubsub.hasSubscribers(c.organizationId, 'campaign.progress', campaignId))) return;
    const snapshot = await this.snapshot(c.organizationId, campaignId);
    await this.pubsub.publish(c.organizationId, 'campaign.progress', snapshot, campaignId);
  }

  /**
   * The current snapshot first, then every published one that is newer than the last one shown
   * (several workers publish; their snapshots may cross on the way). Only ever the caller's
   * organization's channel.
   */
  stream(organizationId: string, campaignId: string) {
    return newerSnapshots(
      this.pubsub.subscribe(organizationId, 'campaign.progress', campaignId),
      () => this.snapshot(organizationId, campaignId),
      (update) => update.campaign.organizationId === organizationId, // defence in depth
    );
  }

  onModuleDestroy() {
    this.publisher.clear();
  }
}

declare module '../common/pubsub/topics.js' {
  interface TopicPayloads {
    /** Published per campaign (id = campaign id), coalesced. */
    'campaign.progress': Awaited<ReturnType<CampaignProgressService['snapshot']>>;
  }
}
