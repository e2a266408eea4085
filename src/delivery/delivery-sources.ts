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
    const groupsBySource = new Map<SourceType, string[]>();
    for (const g of groups)
      groupsBySource.set(g.sourceType, [...(groupsBySource.get(g.sourceType) ?? []), g.id]);
    const evs = bySource(events);
    for (const type of new Set([...groupsBySource.keys(), ...evs.keys()])) {
      const handler = this.handlers.get(type);
      handler
        ?.afterCommit?.(evs.get(type) ?? [], [...new Set(groupsBySource.get(type) ?? [])])
        .catch((e: unknown) => this.logger.error(`${type} reaction to delivery events failed: ${String(e)}`));
    }
  }
}

function bySource(events: DeliveryEvent[]) {
  const map = new Map<SourceType, DeliveryEvent[]>();
  for (const e of events) map.set(e.sourceType, [...(map.get(e.sourceType) ?? []), e]);
  return map;
}
