import { Injectable, Logger } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client.js';
import type { DeliveryEvent, DeliverySourceHandler, SourceType } from './delivery.contract.js';

/**
 * The sources that feed delivery register here, so delivery can tell them what happened to their
 * messages without importing them. A source with no handler simply hears nothing.
 */
@Injectable()
export class DeliverySources {
  private readonly logger = new Logger(DeliverySources.name);
  private readonly handlers = new Map<SourceType, DeliverySourceHandler>();

  register(handler: DeliverySourceHandler) {
    this.handlers.set(handler.sourceType, handler);
  }

  /** Whether the source reacts inside the recording transaction (else recording can skip locking). */
  reactsInTransaction(type: SourceType) {
    return !!this.handlers.get(type)?.onEvents;
  }

  /** Inside the recording transaction: each source hears its own events. */
  async notify(tx: Prisma.TransactionClient, events: DeliveryEvent[]) {
    for (const [type, list] of bySource(events)) {
      await this.handlers.get(type)?.onEvents?.(tx, list);
    }
  }

  /** After commit; a failing reaction is logged (the sources' sweeps heal what it missed). */
  afterCommit(events: DeliveryEvent[], groups: { id: string; sourceType: SourceType }[]) {
    const groupsBySource = groupBy(groups, (g) => g.sourceType);
    const evs = bySource(events);
    for (const type of new Set([...groupsBySource.keys(), ...evs.keys()])) {
      const handler = this.handlers.get(type);
      handler
        ?.afterCommit?.(evs.get(type) ?? [], [...new Set(groupsBySource.get(type)?.map((g) => g.id))])
        .catch((e: unknown) => this.logger.error(`${type} reaction to delivery events failed: ${String(e)}`));
    }
  }
}

const bySource = (events: DeliveryEvent[]) => groupBy(events, (e) => e.sourceType);

/** A batch's items by key, in order (one pass: a batch holds hundreds of events). */
function groupBy<T, K>(items: T[], key: (item: T) => K) {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const list = map.get(key(item));
    if (list) list.push(item);
    else map.set(key(item), [item]);
  }
  return map;
}
