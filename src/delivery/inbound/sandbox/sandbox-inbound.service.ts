import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { badInput, isUuid, notFoundField } from '../../../common/errors/domain-error.js';
import { Clock } from '../../../common/clock/clock.js';
import { PrismaService } from '../../../prisma/prisma.service.js';
import { DeliveryInboundSink } from '../delivery-inbound.sink.js';
import { sandboxBounce, sandboxReply } from './sandbox-mail.js';

export const MAX_SIMULATED_BODY = 10_000;

/**
 * Replies and bounces to messages SANDBOX mailboxes sent, simulated: the engine builds the MIME a
 * recipient's client (or server) would send back and hands it to the same inbound sink the Gmail
 * and Microsoft pollers use, so a simulated reply is matched, recorded and reported exactly like a
 * real one (issue 9 §5, docs/adr/007).
 */
@Injectable()
export class SandboxInboundService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sink: DeliveryInboundSink,
    private readonly clock: Clock,
  ) {}

  /** A reply (or an out-of-office answer) from the recipient of the organization's message. */
  async simulateReply(
    organizationId: string,
    messageId: string,
    options: { body?: string | null; automatic?: boolean | null },
  ) {
    const body = options.body?.trim() ? options.body : null;
    if (body && body.length > MAX_SIMULATED_BODY) {
      throw badInput('body', `body must be at most ${MAX_SIMULATED_BODY} characters`);
    }
    const sent = await this.sentFromSandbox(organizationId, messageId);
    const raw = await sandboxReply(sent.answered, { body, automatic: !!options.automatic });
    return this.deliver(sent, raw);
  }

  /** A bounce of the organization's message: hard (5.1.1, the address is suppressed) unless `hard` is false. */
  async simulateBounce(organizationId: string, messageId: string, options: { hard?: boolean | null }) {
    const sent = await this.sentFromSandbox(organizationId, messageId);
    return this.deliver(sent, sandboxBounce(sent.answered, { hard: options.hard !== false }));
  }

  /** The outbound message a sandbox inbox entry is, for the inbox page's buttons; null when there is none. */
  async outboundOfSandboxMessage(organizationId: string, sandboxMessageId: string) {
    if (!isUuid(sandboxMessageId)) return null;
    const row = await this.prisma.db.sandboxMessage.findFirst({
      where: { id: sandboxMessageId, organizationId },
      select: { senderAccountId: true, messageId: true },
    });
    if (!row) return null;
    const outbound = await this.prisma.db.outboundMessage.findFirst({
      where: { organizationId, senderAccountId: row.senderAccountId, messageId: row.messageId },
      select: { id: true },
    });
    return outbound?.id ?? null;
  }

  private async sentFromSandbox(organizationId: string, messageId: string) {
    const message = isUuid(messageId)
      ? await this.prisma.db.outboundMessage.findFirst({
          where: { id: messageId, organizationId },
          select: {
            id: true,
            email: true,
            subject: true,
            messageId: true,
            references: true,
            sentAt: true,
            providerThreadId: true,
            senderAccountId: true,
          },
        })
      : null;
    if (!message) throw notFoundField('messageId', `Message ${messageId} was not found`);
    const mailbox = message.senderAccountId
      ? await this.prisma.db.senderAccount.findUnique({
          where: { id: message.senderAccountId },
          select: { id: true, email: true, provider: true },
        })
      : null;
    if (mailbox?.provider !== 'SANDBOX') {
      throw badInput(
        'messageId',
        'Only messages sent from a SANDBOX mailbox can be answered by simulation; answers to other mailboxes arrive by polling them',
      );
    }
    if (!message.messageId || !message.sentAt) {
      throw badInput('messageId', 'The message has not been sent yet');
    }
    return {
      mailbox: { id: mailbox.id, organizationId, email: mailbox.email, provider: 'SANDBOX' as const },
      providerThreadId: message.providerThreadId,
      answered: {
        messageId: message.messageId,
        references: message.references,
        subject: message.subject,
        to: message.email,
        from: mailbox.email,
      },
    };
  }

  private async deliver(sent: Awaited<ReturnType<SandboxInboundService['sentFromSandbox']>>, raw: Buffer) {
    const recorded = await this.sink.recordOne(sent.mailbox, {
      providerMessageId: `sandbox-inbound.${randomUUID()}`,
      providerThreadId: sent.providerThreadId ?? undefined,
      raw,
      receivedAt: this.clock.now(),
    });
    return this.prisma.db.inboundMessage.findUniqueOrThrow({ where: { id: recorded.id } });
  }
}
