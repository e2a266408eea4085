import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../prisma/prisma.service.js';
import type { MailboxContext, MailProvider, OutgoingMessage, SendResult } from '../mail-provider.port.js';

/**
 * The SANDBOX provider keeps every message in the database and shows it in the local inbox page,
 * exactly as a recipient would get it. Sending the same Message-ID twice from a mailbox stores it
 * once, so it behaves like a provider that can be reconciled.
 */
@Injectable()
export class SandboxProvider implements MailProvider {
  readonly type = 'SANDBOX' as const;
  readonly canReconcile = true;

  constructor(private readonly prisma: PrismaService) {}

  async verify(): Promise<void> {}

  async send(mailbox: MailboxContext, message: OutgoingMessage): Promise<SendResult> {
    // INSERT … ON CONFLICT DO NOTHING: concurrent duplicates cannot create a second row.
    await this.prisma.db.sandboxMessage.createMany({
      data: {
        organizationId: mailbox.organizationId,
        senderAccountId: mailbox.id,
        messageId: message.messageId,
        threadId: message.threadId ?? randomUUID(),
        fromAddress: message.from,
        toAddress: message.to,
        subject: message.subject,
        raw: message.raw.toString('utf8'),
      },
      skipDuplicates: true,
    });
    const stored = await this.findSent(mailbox, message.messageId);
    if (!stored) throw new Error(`Sandbox message ${message.messageId} was not stored`);
    return stored;
  }

  async findSent(mailbox: MailboxContext, messageId: string): Promise<SendResult | null> {
    const row = await this.prisma.db.sandboxMessage.findUnique({
      where: { senderAccountId_messageId: { senderAccountId: mailbox.id, messageId } },
      select: { id: true, threadId: true },
    });
    return row ? { providerMessageId: row.id, providerThreadId: row.threadId ?? undefined } : null;
  }

  async close(): Promise<void> {}
}
