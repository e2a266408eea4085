import { InjectQueue } from '@nestjs/bull';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Job, Queue } from 'bull';
import type { Redis } from 'ioredis';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { DispatchService } from '../dispatch/dispatch.service.js';
import { QUEUES, type DispatchJob, type SendJob } from '../queues.js';
import { BatchSender } from '../send/batch-sender.js';

/**
 * The queue processors, registered only in worker processes. Thin: the services hold the rules.
 * Every failed job is logged with its reason; database hiccups (deadlock, serialization, lost
 * connection) are retried inside the services, and a send job that still fails has released its
 * messages, so dispatch claims them again.
 */
@Injectable()
export class DeliveryWorker implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryWorker.name);

  constructor(
    @InjectQueue(QUEUES.dispatch) private readonly dispatchQueue: Queue<DispatchJob>,
    @InjectQueue(QUEUES.send) private readonly sendQueue: Queue<SendJob>,
    private readonly dispatch: DispatchService,
    private readonly sender: BatchSender,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  onModuleInit() {
    // process() settles only when the queue closes (it rejects, without a reason, on shutdown).
    const settled = (e: unknown) =>
      e instanceof Error && this.logger.error(`queue processing stopped: ${e.message}`);
    this.dispatchQueue
      .process('dispatch', 2, (job) => this.run(job, () => this.dispatch.run(job.data)))
      .catch(settled);
    this.sendQueue
      .process('send', this.config.delivery.concurrency, (job) =>
        this.run(job, async () => {
          await this.sender.process(job.data);
          // More may be due: the next block is claimed as soon as this one is done.
          await this.dispatch.enqueue(job.data.groupId);
        }),
      )
      .catch(settled);
  }

  private async run<T>(job: Job, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      this.logger.error(
        `${job.queue.name} job ${String(job.id)} failed: ${e instanceof Error ? e.message : String(e)}`,
      );
      throw e;
    }
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
