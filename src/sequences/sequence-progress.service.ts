import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Coalescer, newerSnapshots } from '../common/pubsub/progress-stream.js';
import { PubSubService } from '../common/pubsub/pubsub.service.js';
import { isUuid } from '../common/errors/domain-error.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { SequenceProgressModel } from './models/sequence-progress.model.js';
import { SequenceAnalyticsService } from './sequence-analytics.service.js';
import { sequenceNotFound } from './sequences.errors.js';

const COALESCE_MS = 250;

/**
 * Sequence progress: the analytics, published coalesced over Redis PubSub when delivery reports
 * on the sequence's emails or the engine hands steps over, so any API process serves any worker's
 * progress.
 */
@Injectable()
export class SequenceProgressService implements OnModuleDestroy {
  private readonly logger = new Logger(SequenceProgressService.name);
  private readonly publisher = new Coalescer(
    COALESCE_MS,
    (id) => this.publishNow(id),
    (id, e) => this.logger.warn(`progress of sequence ${id} not published: ${String(e)}`),
  );

  constructor(
    private readonly prisma: PrismaService,
    private readonly pubsub: PubSubService,
    private readonly analytics: SequenceAnalyticsService,
  ) {}

  async snapshot(organizationId: string, sequenceId: string): Promise<SequenceProgressModel> {
    if (!isUuid(sequenceId)) throw sequenceNotFound(sequenceId);
    const [{ at }] = await this.prisma.db.$queryRaw<{ at: Date }[]>`SELECT clock_timestamp() AS at`;
    const sequence = await this.prisma.db.sequence.findFirst({
      where: { id: sequenceId, organizationId },
      select: { status: true },
    });
    if (!sequence) throw sequenceNotFound(sequenceId);
    return {
      sequenceId,
      status: sequence.status,
      analytics: await this.analytics.analytics(organizationId, sequenceId),
      readAt: at,
    };
  }

  /** Notes that these sequences changed: at most one snapshot per sequence every 250 ms from this process. */
  touch(sequenceIds: Iterable<string>) {
    for (const id of sequenceIds) this.publisher.touch(id);
  }

  private async publishNow(sequenceId: string) {
    const s = await this.prisma.db.sequence.findUnique({
      where: { id: sequenceId },
      select: { organizationId: true },
    });
    // The analytics read every enrollment of the sequence: only for someone who is watching.
    if (!s || !(await this.pubsub.hasSubscribers(s.organizationId, 'sequence.progress', sequenceId))) return;
    const snapshot = await this.snapshot(s.organizationId, sequenceId);
    await this.pubsub.publish(s.organizationId, 'sequence.progress', snapshot, sequenceId);
  }

  /** The snapshot now, then every newer published one; only the caller's organization's channel. */
  stream(organizationId: string, sequenceId: string) {
    return newerSnapshots(
      this.pubsub.subscribe(organizationId, 'sequence.progress', sequenceId),
      () => this.snapshot(organizationId, sequenceId),
      (update) => update.sequenceId === sequenceId,
    );
  }

  onModuleDestroy() {
    this.publisher.clear();
  }
}

declare module '../common/pubsub/topics.js' {
  interface TopicPayloads {
    /** Published per sequence (id = sequence id), coalesced. */
    'sequence.progress': SequenceProgressModel;
  }
}
