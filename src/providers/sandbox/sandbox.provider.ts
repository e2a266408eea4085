import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../prisma/prisma.service.js';
import { TransientMailError, type MailError } from '../mail-errors.js';
import type { MailboxContext, MailProvider, OutgoingMessage, SendResult } from '../mail-provider.port.js';

interface StoredRow {
  id: string;
  messageId: string;
  threadId: string | null;
}

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

  /** Stores the message as `sendMany` stores a batch (one storage path, one statement). */
  async send(mailbox: MailboxContext, message: OutgoingMessage): Promise<SendResult> {
    const [result] = await this.sendMany(mailbox, [message]);
    if (result instanceof Error) throw result;
    return result;
  }

  /**
   * Stores a batch in one statement; each message is kept once per Message-ID, as with `send`.
   * Messages stored before (a batch sent again after a crash) are looked up afterwards, and only
   * those: looking every message up in the same statement cost half of the insert again.
   */
  async sendMany(mailbox: MailboxContext, messages: OutgoingMessage[]): Promise<(SendResult | MailError)[]> {
    if (!messages.length) return [];
    const rows = await this.prisma.sql.$queryRaw<StoredRow[]>`
      INSERT INTO "SandboxMessage" ("organizationId", "senderAccountId", "messageId", "threadId", "fromAddress",
                                    "toAddress", subject, raw)
      SELECT ${mailbox.organizationId}::uuid, ${mailbox.id}::uuid, message_id, COALESCE(thread_id, gen_random_uuid()::text),
             from_address, to_address, subject, raw
      FROM unnest(${messages.map((m) => m.messageId)}::text[], ${messages.map((m) => m.threadId ?? null)}::text[],
                  ${messages.map((m) => m.from)}::text[], ${messages.map((m) => m.to)}::text[],
                  ${messages.map((m) => m.subject)}::text[], ${messages.map((m) => m.raw.toString('utf8'))}::text[])
        AS u(message_id, thread_id, from_address, to_address, subject, raw)
      ON CONFLICT ("senderAccountId", "messageId") DO NOTHING
      RETURNING id, "messageId", "threadId"`;
    const byId = new Map(rows.map((r) => [r.messageId, r]));
    const before = messages.filter((m) => !byId.has(m.messageId)).map((m) => m.messageId);
    if (before.length) {
      const found = await this.prisma.sql.$queryRaw<StoredRow[]>`
        SELECT id, "messageId", "threadId" FROM "SandboxMessage"
        WHERE "senderAccountId" = ${mailbox.id}::uuid AND "messageId" = ANY(${before}::text[])`;
      for (const r of found) byId.set(r.messageId, r);
    }
    return messages.map((m) => {
      const row = byId.get(m.messageId);
      return row
        ? { providerMessageId: row.id, providerThreadId: row.threadId ?? undefined }
        : new TransientMailError(`Sandbox message ${m.messageId} was not stored`);
    });
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
