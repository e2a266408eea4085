import { Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { CredentialsCipher, CredentialsDecryptError } from '../common/crypto/credentials-cipher.js';
import type { MailProviderType, SenderAccountStatus } from '../generated/prisma/enums.js';
import { Prisma, type SenderAccount } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { ConnectSenderAccountInput } from './dto/connect-sender-account.input.js';
import { MailboxAuthError, MailError } from './mail-errors.js';
import type { MailboxContext } from './mail-provider.port.js';
import { ProviderRegistry } from './provider-registry.js';
import {
  credentialsRefused,
  senderAccountNotFound,
  senderAccountTaken,
  smtpSettingsRequired,
  smtpSettingsUnexpected,
} from './providers.errors.js';
import { credentialsContext } from './sender-account-credentials.js';
import { validateWindow } from './sending-window.js';
import type { SmtpCredentials } from './smtp/smtp-credentials.js';
import { usageDay } from './usage-day.js';

/** A mailbox as the delivery pipeline needs it: decrypted credentials and its sending limits. */
export interface LoadedMailbox extends MailboxContext {
  displayName: string | null;
  status: SenderAccountStatus;
  dailyCap: number;
  minGapSeconds: number;
  timezone: string;
  windowStartMinute: number | null;
  windowEndMinute: number | null;
  windowDays: number[];
  atLeastOnce: boolean;
}

/** A mailbox as the API shows it: never its credentials. */
export type SenderAccountView = Omit<
  SenderAccount,
  'encryptedCredentials' | 'organizationId' | 'updatedAt' | 'nextSendAt' | 'lastSentAt'
> & {
  sentToday: number;
};

const MAX_ERROR_LENGTH = 1000;

/** The organization's mailboxes: connect (verified), list, disconnect, and load for sending. */
@Injectable()
export class SenderAccountsService {
  private readonly logger = new Logger(SenderAccountsService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly registry: ProviderRegistry,
    private readonly cipher: CredentialsCipher,
  ) {}

  /**
   * Verifies the mailbox with its provider, then stores it with encrypted credentials. Nothing is
   * stored when the provider refuses it (BAD_USER_INPUT). An address already connected with the
   * same provider is a CONFLICT, unless that mailbox was disconnected: then it is reconnected.
   */
  async connect(organizationId: string, input: ConnectSenderAccountInput): Promise<SenderAccountView> {
    const adapter = this.registry.get(input.provider);
    const credentials = this.credentialsFrom(input);
    validateWindow(input);
    const existing = await this.prisma.db.senderAccount.findUnique({
      where: {
        organizationId_email_provider: { organizationId, email: input.email, provider: input.provider },
      },
    });
    if (existing?.status === 'ACTIVE') throw senderAccountTaken(input.email, input.provider);

    const mailbox = {
      id: existing?.id ?? 'new',
      organizationId,
      email: input.email,
      provider: input.provider,
      credentials,
    };
    try {
      await adapter.verify(mailbox);
    } catch (e) {
      if (e instanceof MailError)
        throw credentialsRefused(input.provider === 'SMTP' ? 'smtp' : 'provider', e.message);
      throw e;
    }

    const timezone = input.timezone ?? (await this.organizationTimezone(organizationId));
    const data = {
      displayName: input.displayName ?? null,
      status: 'ACTIVE' as const,
      encryptedCredentials: this.cipher.encrypt(credentials, credentialsContext(organizationId)),
      dailyCap: input.dailyCap ?? 500,
      minGapSeconds: input.minGapSeconds ?? 0,
      timezone,
      windowStartMinute: input.windowStartMinute ?? null,
      windowEndMinute: input.windowEndMinute ?? null,
      windowDays: [...new Set(input.windowDays ?? [])].sort((a, b) => a - b),
      atLeastOnce: input.atLeastOnce ?? false,
      lastError: null,
    };
    const saved = existing
      ? await this.prisma.db.senderAccount.update({ where: { id: existing.id }, data })
      : await this.prisma.db.senderAccount
          .create({ data: { ...data, organizationId, email: input.email, provider: input.provider } })
          .catch((e: unknown) => {
            // Two connects of the same address at once: the unique index decides, the loser gets CONFLICT.
            if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002') {
              throw senderAccountTaken(input.email, input.provider);
            }
            throw e;
          });
    if (existing) await adapter.close(existing.id); // drop connections that used the old settings
    return (await this.withSentToday([saved]))[0];
  }

  /** The organization's mailboxes, oldest first. */
  async list(organizationId: string): Promise<SenderAccountView[]> {
    const rows = await this.prisma.db.senderAccount.findMany({
      where: { organizationId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return this.withSentToday(rows);
  }

  /**
   * Disconnects the mailbox: no new sends start from it, its stored credentials are erased and
   * its pooled connections closed. NOT_FOUND for a mailbox of another organization.
   */
  async disconnect(organizationId: string, id: string): Promise<SenderAccountView> {
    const found = await this.find(organizationId, id);
    const updated = await this.prisma.db.senderAccount.update({
      where: { id: found.id },
      data: { status: 'DISCONNECTED', encryptedCredentials: null },
    });
    await this.closeConnections(updated.provider, updated.id);
    return (await this.withSentToday([updated]))[0];
  }

  /**
   * The mailbox with decrypted credentials and its limits, for the delivery pipeline. Throws
   * NOT_FOUND when it is not the organization's, and MailboxAuthError when its stored credentials
   * cannot be decrypted (the key changed): it has to be reconnected. A DISCONNECTED mailbox comes
   * back with empty credentials; check `status` before sending.
   */
  async loadMailbox(organizationId: string, senderAccountId: string): Promise<LoadedMailbox> {
    const a = await this.find(organizationId, senderAccountId);
    let credentials: Record<string, unknown> = {};
    if (a.encryptedCredentials) {
      try {
        credentials = this.cipher.decrypt(a.encryptedCredentials, credentialsContext(organizationId));
      } catch (e) {
        if (!(e instanceof CredentialsDecryptError)) throw e;
        throw new MailboxAuthError(
          'The stored credentials cannot be decrypted (was ENCRYPTION_KEY changed?); reconnect the mailbox',
        );
      }
    }
    return {
      id: a.id,
      organizationId: a.organizationId,
      email: a.email,
      provider: a.provider,
      credentials,
      displayName: a.displayName,
      status: a.status,
      dailyCap: a.dailyCap,
      minGapSeconds: a.minGapSeconds,
      timezone: a.timezone,
      windowStartMinute: a.windowStartMinute,
      windowEndMinute: a.windowEndMinute,
      windowDays: a.windowDays,
      atLeastOnce: a.atLeastOnce,
    };
  }

  /**
   * Marks the mailbox DISCONNECTED with the reason (e.g. the provider refused its credentials)
   * and closes its connections. Its credentials are kept. Returns false when it is not the
   * organization's.
   */
  async markDisconnected(organizationId: string, id: string, reason: string): Promise<boolean> {
    const { count } = await this.prisma.db.senderAccount.updateMany({
      where: { id, organizationId },
      data: { status: 'DISCONNECTED', lastError: reason.slice(0, MAX_ERROR_LENGTH) },
    });
    if (!count) return false;
    const row = await this.prisma.db.senderAccount.findUniqueOrThrow({
      where: { id },
      select: { provider: true },
    });
    await this.closeConnections(row.provider, id);
    return true;
  }

  private async find(organizationId: string, id: string) {
    const found = isUUID(id)
      ? await this.prisma.db.senderAccount.findFirst({ where: { id, organizationId } })
      : null;
    if (!found) throw senderAccountNotFound(id);
    return found;
  }

  private async closeConnections(provider: MailProviderType, id: string) {
    if (!this.registry.has(provider)) return;
    await this.registry
      .get(provider)
      .close(id)
      .catch((e: unknown) =>
        this.logger.warn(`closing ${provider} connections of ${id} failed: ${String(e)}`),
      );
  }

  private credentialsFrom(input: ConnectSenderAccountInput): Record<string, unknown> {
    if (input.provider !== 'SMTP') {
      if (input.smtp) throw smtpSettingsUnexpected(input.provider);
      return {};
    }
    const smtp = input.smtp;
    if (!smtp) throw smtpSettingsRequired();
    const credentials: SmtpCredentials = {
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure ?? smtp.port === 465,
      username: smtp.username || undefined,
      password: smtp.password,
      pool: smtp.pool ?? true,
    };
    return { ...credentials };
  }

  private async organizationTimezone(organizationId: string) {
    const org = await this.prisma.db.organization.findUniqueOrThrow({
      where: { id: organizationId },
      select: { timezone: true },
    });
    return org.timezone;
  }

  /** Adds today's send count, "today" being the date in each mailbox's own time zone. */
  private async withSentToday(rows: SenderAccount[]): Promise<SenderAccountView[]> {
    const now = new Date();
    const dayOf = new Map(rows.map((r) => [r.id, usageDay(r.timezone, now)]));
    const usage = rows.length
      ? await this.prisma.db.senderDailyUsage.findMany({
          where: {
            senderAccountId: { in: rows.map((r) => r.id) },
            day: { in: [...new Map([...dayOf.values()].map((d) => [d.getTime(), d])).values()] },
          },
        })
      : [];
    const sent = new Map(
      usage
        .filter((u) => dayOf.get(u.senderAccountId)?.getTime() === u.day.getTime())
        .map((u) => [u.senderAccountId, u.sent]),
    );
    return rows.map(
      ({
        encryptedCredentials: _c,
        organizationId: _o,
        updatedAt: _u,
        nextSendAt: _n,
        lastSentAt: _l,
        ...view
      }) => ({
        ...view,
        sentToday: sent.get(view.id) ?? 0,
      }),
    );
  }
}
