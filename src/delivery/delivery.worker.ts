import { InjectQueue } from '@nestjs/bull';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Queue } from 'bull';
import type { Redis } from 'ioredis';
import { CampaignLifecycleService } from '../campaigns/campaign-lifecycle.service.js';
import { SYSTEM } from '../common/events/event-log.js';
import type { ResolvedConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DispatchService } from './dispatch/dispatch.service.js';
import { QUEUES, type DispatchJob, type SendJob } from './queues.js';
import { CampaignSendService } from './send/campaign-send.service.js';

/**
 * The queue processors, registered only in worker processes. They are thin: the services hold the
 * rules. Concurrency comes from the validated configuration.
 */
@Injectable()
export class DeliveryWorker implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryWorker.name);

  constructor(
    @InjectQueue(QUEUES.dispatch) private readonly dispatchQueue: Queue<DispatchJob>,
    @InjectQueue(QUEUES.send) private readonly sendQueue: Queue<SendJob>,
    private readonly dispatch: DispatchService,
    private readonly sends: CampaignSendService,
    private readonly lifecycle: CampaignLifecycleService,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  onModuleInit() {
    // process() settles only when the queue closes (it rejects, without a reason, on shutdown).
    const settled = (e: unknown) =>
      e instanceof Error && this.logger.error(`queue processing stopped: ${e.message}`);
    this.dispatchQueue
      .process('dispatch', 1, (job) => this.dispatch.dispatch(job.data.campaignId))
      .catch(settled);
    this.dispatchQueue
      .process('start', 1, (job) => this.lifecycle.startIfDue(job.data.campaignId, SYSTEM('scheduled-start')))
      .catch(settled);
    this.sendQueue
      .process('campaign-recipient', this.config.delivery.concurrency, (job) =>
        this.sends.send(job.data.recipientId),
      )
      .catch(settled);
  }

  /**
   * Bull names its worker connection once Redis is ready and does not handle that promise; closing
   * a queue before then crashes the process. Wait (briefly) for readiness before the queues close.
   */
  async beforeApplicationShutdown() {
    // Bull's blocking client is not in its typings.
    const connected = (q: Queue) =>
      q.isReady().then(() => {
        const bclient = (q as Queue & { bclient: Redis }).bclient;
        return new Promise<void>((resolve) =>
          bclient.status === 'ready' ? resolve() : bclient.once('ready', () => resolve()),
        );
      });
    const ready = Promise.all([connected(this.dispatchQueue), connected(this.sendQueue)]);
    await Promise.race([ready, new Promise((r) => setTimeout(r, 2000).unref())]).catch(() => undefined);
  }
}
