import { Injectable } from '@nestjs/common';
import type { ContentSpec, GroupSpec, MessageSpec } from '../../delivery/delivery.contract.js';
import { DeliveryService } from '../../delivery/delivery.service.js';
import type { Tx } from '../../prisma/prisma.service.js';
import type { HandedOver, SequenceDelivery } from './sequence-delivery.port.js';

/**
 * The sequences' delivery port bound to the one delivery pipeline: a sequence is a delivery group
 * (its id), each EMAIL step of a published version is a content, each step execution a message
 * (sourceRef = execution id). Caps, gaps, retries, reconciliation and tracking are delivery's.
 */
@Injectable()
export class LedgerSequenceDelivery implements SequenceDelivery {
  constructor(private readonly delivery: DeliveryService) {}

  createContent(tx: Tx, content: ContentSpec): Promise<string> {
    return this.delivery.createContent(tx, content);
  }

  openGroup(tx: Tx, group: GroupSpec): Promise<void> {
    return this.delivery.openGroup(tx, group);
  }

  async handOver(tx: Tx, groupId: string, messages: MessageSpec[]): Promise<HandedOver[]> {
    if (!messages.length) return [];
    const [group] = await tx.$queryRaw<{ organizationId: string }[]>`
      SELECT "organizationId"::text FROM "DeliveryGroup" WHERE id = ${groupId}::uuid`;
    if (!group) throw new Error(`sequence ${groupId} has no delivery group`);
    const ids = await this.delivery.handOver(
      tx,
      { id: groupId, organizationId: group.organizationId, sourceType: 'SEQUENCE' },
      messages,
    );
    return [...ids].map(([sourceRef, messageId]) => ({ sourceRef, messageId }));
  }

  pauseGroup(tx: Tx, groupId: string): Promise<void> {
    return this.delivery.pause(tx, groupId);
  }

  resumeGroup(tx: Tx, groupId: string): Promise<void> {
    return this.delivery.resume(tx, groupId);
  }

  cancelMessages(tx: Tx, groupId: string, sourceRefs: string[]): Promise<string[]> {
    return this.delivery.cancelMessages(tx, groupId, sourceRefs, 'Cancelled: the enrollment stopped');
  }
}
