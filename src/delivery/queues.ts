import { BullModule } from '@nestjs/bull';
import type { ResolvedConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';

/** Queue names of the delivery pipeline. */
export const QUEUES = {
  /** One job per group at a time (requests merge): claims due messages and enqueues send jobs. */
  dispatch: 'delivery-dispatch',
  /** One job per claim: a batch of messages of one mailbox, rendered and handed to the provider. */
  send: 'delivery-send',
} as const;

/**
 * Bull on Redis. Redis only carries hints: every state change is a guarded write in PostgreSQL,
 * so a lost, repeated or stale job is harmless (docs/adr/005). Retries are the pipeline's own
 * (attempts: 1), since it knows the provider's verdict.
 */
export const BullRootModule = BullModule.forRootAsync({
  inject: [APP_CONFIG],
  useFactory: (config: ResolvedConfig) => ({
    url: config.redisUrl,
    prefix: config.queue.prefix,
    defaultJobOptions: {
      attempts: 1,
      removeOnComplete: 1000,
      removeOnFail: 5000,
    },
    settings: lockSettings(config.queue.lockMs),
  }),
});

/** Bull's job lock, its renewal and the stalled check that frees the job of a dead process. */
function lockSettings(lockMs: number) {
  return {
    lockDuration: lockMs,
    lockRenewTime: Math.floor(lockMs / 4),
    stalledInterval: Math.min(30000, lockMs),
    maxStalledCount: 2,
  };
}

/**
 * The dispatch job's lock follows the stuck time, not QUEUE_LOCK_MS: a dead process's dispatch job
 * goes back to the queue (Bull's stalled check) within half the stuck time (at least a second). A
 * dispatch pass is short and safe to run twice at once (capacity is reserved under the mailbox row
 * lock), so a lock lost to a stalled event loop costs nothing but a second pass.
 */
export const dispatchLockMs = (config: ResolvedConfig) =>
  Math.min(config.queue.lockMs, Math.max(1000, Math.floor(config.delivery.stuckMs / 2)));

/**
 * A group's dispatch requests merge into one job: while one waits or runs, further requests are
 * dropped. A waiting job will read the state they announce; one that has already read it misses it,
 * and the runner's sweep (every RUNNER_TICK_MS) dispatches what it left. The merge is a key of our
 * own, not a fixed job id, and it expires after the dispatch lock time: when Redis is emptied or
 * restarted just as a worker fetches a job, Bull's `moveToActive` runs on the new server and writes
 * the vanished job's `processedOn`, leaving a job hash outside every list. With a fixed id every
 * later request for the group was a no-op and the group stopped for good; a lost job now costs at
 * most the key's lifetime.
 */
export const dispatchMergeKey = (config: ResolvedConfig, groupId: string) =>
  `${config.queue.prefix}:${QUEUES.dispatch}:merge:${groupId}`;

export interface DispatchJob {
  groupId: string;
  /** The merge key's value this job owns (absent in jobs queued before the key existed). */
  mergeToken?: string;
}

/**
 * A claim: up to the reservation's count of due messages of one group and one mailbox, taken when
 * the job runs; `messageId` names the one message of a claim made for it (a test email).
 */
export interface SendJob {
  organizationId: string;
  groupId: string;
  senderAccountId: string;
  /** The reservation (DeliveryReservation.token) this job uses. */
  claimToken: string;
  messageId?: string;
}

export const sendJobId = (claimToken: string) => `send:${claimToken}`;

export const DeliveryQueues = BullModule.registerQueueAsync(
  {
    name: QUEUES.dispatch,
    inject: [APP_CONFIG],
    useFactory: (config: ResolvedConfig) => ({ settings: lockSettings(dispatchLockMs(config)) }),
  },
  { name: QUEUES.send },
);
