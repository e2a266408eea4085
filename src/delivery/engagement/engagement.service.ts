import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock/clock.js';
import { withDbRetry } from '../../prisma/db-retry.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import type { DeliveryEvent, DeliveryEventType, SourceType } from '../delivery.contract.js';
import { DeliverySources } from '../delivery-sources.js';
import { TrackingLinks } from '../links/tracking-links.js';
import { isHoneypot } from '../send/content-cache.js';
import { classifyHit, type Classification, type Hit } from './classify-hit.js';

type Message = {
  id: string;
  organizationId: string;
  groupId: string;
  sourceType: SourceType;
  sourceRef: string;
  contactId: string | null;
  contentId: string;
  email: string;
  sentAt: Date | null;
};

const SELECT = {
  id: true,
  organizationId: true,
  groupId: true,
  sourceType: true,
  sourceRef: true,
  contactId: true,
  contentId: true,
  email: true,
  sentAt: true,
} as const;

export type HitRequest = Omit<Hit, 'sentAt' | 'at' | 'kind' | 'honeypot'>;

/**
 * What recipients do with a message: open it, click a link, unsubscribe. Tokens are verified
 * before anything is read. Every open and click is kept as an event with its classification
 * (person or machine, and why); the message records its first human and first machine open and
 * click, which the counters count apart; the message's source hears of it in the same transaction.
 */
@Injectable()
export class EngagementService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly links: TrackingLinks,
    private readonly sources: DeliverySources,
    private readonly clock: Clock,
  ) {}

  /** The message a pixel or unsubscribe token names; null for a forged or unknown token. */
  async messageOf(token: string): Promise<Message | null> {
    const id = this.links.verify(token);
    if (!id) return null;
    return this.prisma.db.outboundMessage.findUnique({ where: { id }, select: SELECT });
  }

  /** Records an open (pixel request). Unknown tokens are ignored. */
  async open(token: string, request: HitRequest) {
    const message = await this.messageOf(token);
    if (!message) return;
    const at = this.clock.now();
    const verdict = classifyHit({ ...request, sentAt: message.sentAt, at, kind: 'open' });
    await this.record(message, 'opened', verdict, at, {});
  }

  /**
   * Records a click and returns where to send the browser: only ever the link the engine stored
   * for this message's content. Null for a forged, tampered or foreign token (answer 404);
   * `{ honeypot: true }` for the invisible link (nothing to redirect to).
   */
  async click(token: string, request: HitRequest): Promise<{ url: string } | { honeypot: true } | null> {
    const ref = this.links.verifyClick(token);
    if (!ref) return null;
    const [message, link] = await Promise.all([
      this.prisma.db.outboundMessage.findUnique({ where: { id: ref.messageId }, select: SELECT }),
      this.prisma.db.trackedLink.findUnique({
        where: { id: ref.linkId },
        select: { contentId: true, url: true },
      }),
    ]);
    if (!message || !link || link.contentId !== message.contentId) return null;
    const honeypot = isHoneypot(link.url);
    const at = this.clock.now();
    const verdict = classifyHit({ ...request, sentAt: message.sentAt, at, kind: 'click', honeypot });
    await this.record(message, 'clicked', verdict, at, { url: honeypot ? null : link.url });
    return honeypot ? { honeypot: true } : { url: link.url };
  }

  /** Records that the recipient unsubscribed through this message (the suppression is the caller's). */
  async unsubscribed(message: Message, via: string) {
    await this.record(message, 'unsubscribed', { machine: false, reason: via }, this.clock.now(), { via });
  }

  private async record(
    message: Message,
    type: Extract<DeliveryEventType, 'opened' | 'clicked' | 'unsubscribed'>,
    verdict: Classification,
    at: Date,
    data: Record<string, unknown>,
  ) {
    const column = {
      opened: verdict.machine ? 'machineOpenedAt' : 'openedAt',
      clicked: verdict.machine ? 'machineClickedAt' : 'clickedAt',
      unsubscribed: 'unsubscribedAt',
    }[type] as 'openedAt' | 'machineOpenedAt' | 'clickedAt' | 'machineClickedAt' | 'unsubscribedAt';
    const event: DeliveryEvent = {
      type,
      organizationId: message.organizationId,
      groupId: message.groupId,
      sourceType: message.sourceType,
      sourceRef: message.sourceRef,
      messageId: message.id,
      contactId: message.contactId,
      at,
      machine: verdict.machine,
    };
    const first = await withDbRetry(() =>
      this.prisma.transaction(async (tx) => {
        const [row] = await tx.$queryRaw<Record<string, Date | null>[]>`
          SELECT "openedAt", "machineOpenedAt", "clickedAt", "machineClickedAt", "unsubscribedAt"
          FROM "OutboundMessage" WHERE id = ${message.id}::uuid FOR UPDATE`;
        const isFirst = !row?.[column];
        if (isFirst) await this.sources.notify(tx, [event]);
        await tx.event.create({
          data: {
            organizationId: message.organizationId,
            type: `recipient.${type}`,
            campaignId: message.sourceType === 'CAMPAIGN' ? message.groupId : null,
            sequenceId: message.sourceType === 'SEQUENCE' ? message.groupId : null,
            recipientId: message.id,
            actorType: verdict.machine ? 'SYSTEM' : 'CONTACT',
            actorId: verdict.machine ? 'machine' : message.contactId,
            data: { ...data, machine: verdict.machine, reason: verdict.reason },
          },
        });
        // Last: the counters (trigger) follow the first time only.
        if (isFirst) {
          await tx.outboundMessage.update({ where: { id: message.id }, data: { [column]: at } });
        }
        return isFirst;
      }),
    );
    this.sources.afterCommit(first ? [event] : [], [{ id: message.groupId, sourceType: message.sourceType }]);
  }
}
