import { BullModule, InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Queue } from 'bull';
import { CampaignLifecycleService } from '../campaigns/campaign-lifecycle.service.js';
import { CAMPAIGN_SCHEDULED, type CampaignScheduledEvent } from '../campaigns/campaigns.service.js';
import { Clock } from '../common/clock/clock.js';
import { SYSTEM } from '../common/events/event-log.js';

/** Delayed jobs at exact times (a scheduled campaign's start); the runner's tick is the safety net. */
export const RUNNER_QUEUE = 'runner';
export interface StartJob {
  campaignId: string;
}

export const RunnerQueue = BullModule.registerQueue({ name: RUNNER_QUEUE });

/** Enqueues a delayed start job when a campaign gets (or changes) its start time. */
@Injectable()
export class StartJobs {
  private readonly logger = new Logger(StartJobs.name);

  constructor(
    @InjectQueue(RUNNER_QUEUE) private readonly queue: Queue<StartJob>,
    private readonly clock: Clock,
  ) {}

  @OnEvent(CAMPAIGN_SCHEDULED, { promisify: true })
  async onScheduled(event: CampaignScheduledEvent) {
    try {
      await this.queue.add(
        'campaign-start',
        { campaignId: event.campaignId },
        {
          // One job per campaign and start time; a changed time adds another, the stale one finds nothing due.
          jobId: `start:${event.campaignId}:${event.scheduledAt.getTime()}`,
          delay: Math.max(0, event.scheduledAt.getTime() - this.clock.now().getTime()),
          removeOnComplete: true,
          removeOnFail: true,
        },
      );
    } catch (e) {
      this.logger.warn(
        `start job of ${event.campaignId} not queued (the runner's poll starts it): ${String(e)}`,
      );
    }
  }
}

/** Runs due start jobs (scheduler processes). */
@Injectable()
export class StartJobProcessor implements OnModuleInit {
  private readonly logger = new Logger(StartJobProcessor.name);

  constructor(
    @InjectQueue(RUNNER_QUEUE) private readonly queue: Queue<StartJob>,
    private readonly lifecycle: CampaignLifecycleService,
  ) {}

  onModuleInit() {
    this.queue
      .process('campaign-start', 2, (job) =>
        this.lifecycle.startIfDue(job.data.campaignId, SYSTEM('scheduled-start')),
      )
      .catch((e: unknown) => e instanceof Error && this.logger.error(`runner queue stopped: ${e.message}`));
  }
}
