import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { topicFor, type Topic, type TopicPayloads } from './topics.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * Typed publish/subscribe over Redis, so any API process serves events made by any worker.
 * Channels carry the queue prefix (several deployments may share one Redis) and the organization.
 */
@Injectable()
export class PubSubService implements OnModuleDestroy {
  private readonly engine: RedisPubSub;
  private readonly publisher: Redis;
  private readonly prefix: string;

  constructor(@Inject(APP_CONFIG) config: ResolvedConfig) {
    this.prefix = `${config.queue.prefix}:events:`;
    const options = { maxRetriesPerRequest: null, lazyConnect: false };
    this.publisher = new Redis(config.redisUrl, options);
    this.engine = new RedisPubSub({
      publisher: this.publisher,
      subscriber: new Redis(config.redisUrl, options),
      reviver: (_key: unknown, value: unknown) =>
        typeof value === 'string' && ISO_DATE.test(value) ? new Date(value) : value,
    });
  }

  publish<T extends Topic>(organizationId: string, topic: T, payload: TopicPayloads[T], id?: string) {
    return this.engine.publish(this.prefix + topicFor(organizationId, topic, id), payload);
  }

  /**
   * Whether anyone, in any process, listens on the topic now (Redis PUBSUB NUMSUB): a snapshot that
   * is costly to compute need not be computed for nobody. An error counts as "someone listens".
   */
  async hasSubscribers(organizationId: string, topic: Topic, id?: string): Promise<boolean> {
    try {
      const reply = (await this.publisher.pubsub(
        'NUMSUB',
        this.prefix + topicFor(organizationId, topic, id),
      )) as [string, number];
      return Number(reply[1]) > 0;
    } catch {
      return true;
    }
  }

  /** An async iterator for GraphQL subscriptions on one organization's topic. */
  subscribe<T extends Topic>(
    organizationId: string,
    topic: T,
    id?: string,
  ): AsyncIterableIterator<TopicPayloads[T]> {
    return this.engine.asyncIterableIterator<TopicPayloads[T]>(
      this.prefix + topicFor(organizationId, topic, id),
    ) as AsyncIterableIterator<TopicPayloads[T]>;
  }

  async onModuleDestroy() {
    await this.engine.close().catch(() => undefined);
  }
}
