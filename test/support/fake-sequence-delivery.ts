import { randomUUID } from 'node:crypto';
import type {
  ContentSpec,
  DeliveryEvent,
  GroupSpec,
  MessageSpec,
} from '../../src/delivery/delivery.contract.js';
import type { Tx } from '../../src/prisma/prisma.service.js';
import { transactionContext } from '../../src/prisma/transaction-context.js';
import type { HandedOver, SequenceDelivery } from '../../src/sequences/delivery/sequence-delivery.port.js';

export interface RecordedMessage extends MessageSpec {
  groupId: string;
  messageId: string;
  /** The Message-ID header delivery would store before sending. */
  messageIdHeader: string;
  /** The engine clock when it was handed over (the fake records `notBefore`, which the engine sets to it). */
  handedOverAt: Date;
  state: 'QUEUED' | 'SENT' | 'CANCELLED';
}

/**
 * A recording fake of the delivery port. Like the real ledger it is transactional: what a
 * transaction hands over is recorded only when that transaction commits, so a rolled-back claim
 * leaves no trace and a duplicate hand-over would show as two records.
 */
export class RecordingSequenceDelivery implements SequenceDelivery {
  readonly contents = new Map<string, ContentSpec>();
  readonly groups = new Map<string, GroupSpec & { paused: boolean }>();
  readonly messages: RecordedMessage[] = [];

  async createContent(_tx: Tx, content: ContentSpec) {
    const id = randomUUID();
    transactionContext.afterCommit(() => this.contents.set(id, content));
    return id;
  }

  async openGroup(_tx: Tx, group: GroupSpec) {
    transactionContext.afterCommit(() => this.groups.set(group.id, { ...group, paused: false }));
  }

  async handOver(_tx: Tx, groupId: string, messages: MessageSpec[]): Promise<HandedOver[]> {
    const recorded = messages.map((m) => {
      const messageId = m.id ?? randomUUID();
      return {
        ...m,
        groupId,
        messageId,
        messageIdHeader: `<${messageId}@sandbox.test>`,
        handedOverAt: m.notBefore!,
        state: 'QUEUED' as const,
      };
    });
    transactionContext.afterCommit(() => this.messages.push(...recorded));
    return recorded.map((r) => ({ sourceRef: r.sourceRef, messageId: r.messageId }));
  }

  async pauseGroup(_tx: Tx, groupId: string) {
    transactionContext.afterCommit(() => (this.groups.get(groupId)!.paused = true));
  }

  async resumeGroup(_tx: Tx, groupId: string) {
    transactionContext.afterCommit(() => (this.groups.get(groupId)!.paused = false));
  }

  async cancelMessages(_tx: Tx, groupId: string, sourceRefs: string[]) {
    const cancelled = this.messages.filter(
      (m) => m.groupId === groupId && sourceRefs.includes(m.sourceRef) && m.state === 'QUEUED',
    );
    transactionContext.afterCommit(() => {
      for (const m of cancelled) if (m.state === 'QUEUED') m.state = 'CANCELLED';
    });
    return cancelled.map((m) => m.sourceRef);
  }

  queued() {
    return this.messages.filter((m) => m.state === 'QUEUED' && !this.groups.get(m.groupId)?.paused);
  }

  /** A delivery event about a recorded message, as delivery would report it. */
  event(
    m: RecordedMessage,
    type: DeliveryEvent['type'],
    at: Date,
    extra: Partial<DeliveryEvent> = {},
  ): DeliveryEvent {
    return {
      type,
      organizationId: this.contents.get(m.contentId)!.organizationId,
      groupId: m.groupId,
      sourceType: 'SEQUENCE',
      sourceRef: m.sourceRef,
      messageId: m.messageId,
      contactId: m.contactId,
      at,
      ...(type === 'sent'
        ? { messageIdHeader: m.messageIdHeader, providerThreadId: `thread-${m.messageId.slice(0, 8)}` }
        : {}),
      ...extra,
    };
  }
}
