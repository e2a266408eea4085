import { BullModule } from '@nestjs/bull';
import type { ResolvedConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';

/** Queue names of the delivery pipeline. */
export const QUEUES = {
  /** One job per campaign (deterministic id): claims pending recipients and enqueues sends. */
  dispatch: 'delivery-dispatch',
  /** One job per recipient or step execution: render, build MIME, call the provider, record. */
  send: 'delivery-send',
} as const;

/**
 * Bull on Redis with defaults sized for email sends: a lock well above a provider call's latency
 * (so a slow send is not declared stalled and run twice), bounded completed/failed history, and
 * retries handled by the pipeline itself (attempts: 1), which knows the provider's verdict.
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
    settings: {
      lockDuration: config.queue.lockMs,
      lockRenewTime: Math.floor(config.queue.lockMs / 4),
      stalledInterval: Math.min(30000, config.queue.lockMs),
      maxStalledCount: 2,
    },
  }),
});

export interface DispatchJob {
  campaignId: string;
}
export interface SendJob {
  kind: 'campaign';
  recipientId: string;
}

export const DeliveryQueues = BullModule.registerQueue({ name: QUEUES.dispatch }, { name: QUEUES.send });
