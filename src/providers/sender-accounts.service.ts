import { Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { CredentialsCipher, CredentialsDecryptError } from '../common/crypto/credentials-cipher.js';
import type { MailProviderType, SenderAccountStatus } from '../generated/prisma/enums.js';
import { Prisma, type SenderAccount } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { ConnectSenderAccountInput } from './dto/connect-sender-account.input.js';
import type { UpdateSenderAccountInput } from './dto/update-sender-account.input.js';
import { withTokens } from './oauth/oauth-credentials.js';
import {
  isOAuthProvider,
  OAUTH_PROVIDERS,
  type OAuthMailProvider,
  type OAuthProviderType,
} from './oauth/oauth-mail-provider.js';
import { MailboxAuthError, MailError } from './mail-errors.js';
import { describeCheckFailure, MailboxCheckError } from './mailbox-check-error.js';
import type { MailboxContext, MailProvider, ProviderDefaults } from './mail-provider.port.js';
import { ProviderRegistry } from './provider-registry.js';
import {
  credentialsRefused,
  oauthNotConfigured,
  oauthTokenRequired,
  oauthTokenUnexpected,
  senderAccountNotFound,
  tokenForAnotherMailbox,
  senderAccountTaken,
  smtpSettingsRequired,
  smtpSettingsUnexpected,
} from './providers.errors.js';
import { credentialsContext } from './sender-account-credentials.js';
import { validateWindow } from './sending-window.js';
import type { SmtpCredentials } from './smtp/smtp-credentials.js';
import { usageDay } from './usage-day.js';

type MailboxRow = Omit<LoadedMailbox, 'credentials'> & { encryptedCredentials: string | null };

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
  /** Paused by its provider (quota, Retry-After) until then: nothing of it is handed over before. */
  pausedUntil?: Date | null;
}

/** A mailbox as the API shows it: never its credentials. */
export type SenderAccountView = Omit<
  SenderAccount,
  | 'encryptedCredentials'
  | 'organizationId'
  | 'updatedAt'
  | 'nextSendAt'
  | 'lastSentAt'
  | 'inboundCursor'
  | 'inboundPollAt'
  | 'inboundLeaseUntil'
  | 'inboundLeaseToken'
> & {
  sentToday: number;
};

const MAX_ERROR_LENGTH = 1000;
const FALLBACK_DEFAULTS: ProviderDefaults = { dailyCap: 500, minGapSeconds: 0 };

/** The limits a new mailbox gets unless the user sets its own. */
function providerDefaults(adapter: MailProvider, email: string): ProviderDefaults {
  return adapter.defaultsFor?.(email) ?? adapter.defaults ?? FALLBACK_DEFAULTS;
}

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
    let credentials = this.credentialsFrom(input);
    validateWindow(input);
    const oauth = isOAuthProvider(adapter) ? adapter : undefined;
    if (oauth && !oauth.oauth.configured) {
      throw oauthNotConfigured(input.provider, OAUTH_PROVIDERS[input.provider as OAuthProviderType].settings);
    }
    const existing = await this.prisma.db.senderAccount.findUnique({
      where: {
        organizationId_email_provider: { organizationId, email: input.email, provider: input.provider },
      },
    });
    if (existing?.status === 'ACTIVE') throw senderAccountTaken(input.email, input.provider);

    if (oauth) {
      credentials = await this.oauthCredentials(oauth, input);
    } else {
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
        // Only the engine's own words reach the caller: a server's replies could be anything it is
        // made to say, including what an internal service answers to a probe.
        if (e instanceof MailError) {
          const field =
            e instanceof MailboxCheckError ? e.field : input.provider === 'SMTP' ? 'smtp' : 'provider';
          throw credentialsRefused(field, describeCheckFailure(e));
        }
        throw e;
      }
    }

    const defaults = providerDefaults(adapter, input.email);
    const timezone = input.timezone ?? (await this.organizationTimezone(organizationId));
    const data = {
      displayName: input.displayName ?? null,
      status: 'ACTIVE' as const,
      encryptedCredentials: this.cipher.encrypt(credentials, credentialsContext(organizationId)),
      dailyCap: input.dailyCap ?? defaults.dailyCap,
      minGapSeconds: input.minGapSeconds ?? defaults.minGapSeconds,
      timezone,
      windowStartMinute: input.windowStartMinute ?? null,
      windowEndMinute: input.windowEndMinute ?? null,
      windowDays: [...new Set(input.windowDays ?? [])].sort((a, b) => a - b),
      atLeastOnce: input.atLeastOnce ?? false,
      lastError: null,
    };
    const saved = existing
      ? await this.prisma.db.senderAccount.update({ where: { id: existing.id }, data })
      : await this.create(organizationId, input.email, input.provider, data);
    if (existing) await adapter.close(existing.id); // drop connections that used the old settings
    return (await this.withSentToday([saved]))[0];
  }

  /**
   * Stores a mailbox whose owner just granted access through the provider's consent page: a new
   * mailbox gets the provider's default limits; one already connected (active or not) keeps its
   * settings and gets the new tokens. The address is the one the provider's profile gave.
   */
  async connectAuthorized(
    organizationId: string,
    provider: MailProviderType,
    email: string,
    credentials: Record<string, unknown>,
  ): Promise<{ account: SenderAccountView; reconnected: boolean }> {
    const adapter = this.registry.get(provider);
    const encryptedCredentials = this.cipher.encrypt(credentials, credentialsContext(organizationId));
    const existing = await this.prisma.db.senderAccount.findUnique({
      where: { organizationId_email_provider: { organizationId, email, provider } },
    });
    if (existing) {
      const saved = await this.prisma.db.senderAccount.update({
        where: { id: existing.id },
        data: { status: 'ACTIVE', encryptedCredentials, lastError: null, inboundError: null },
      });
      await adapter.close(existing.id);
      return { account: (await this.withSentToday([saved]))[0], reconnected: true };
    }
    const defaults = providerDefaults(adapter, email);
    const saved = await this.create(organizationId, email, provider, {
      status: 'ACTIVE',
      encryptedCredentials,
      dailyCap: defaults.dailyCap,
      minGapSeconds: defaults.minGapSeconds,
      timezone: await this.organizationTimezone(organizationId),
    });
    return { account: (await this.withSentToday([saved]))[0], reconnected: false };
  }

  /**
   * Changes a mailbox's display name and sending limits. Only given fields change; the sending
   * window is checked as a whole after the change. NOT_FOUND for another organization's mailbox.
   */
  async update(
    organizationId: string,
    id: string,
    input: UpdateSenderAccountInput,
  ): Promise<SenderAccountView> {
    const found = await this.find(organizationId, id);
    const window = {
      windowStartMinute:
        input.windowStartMinute !== undefined ? input.windowStartMinute : found.windowStartMinute,
      windowEndMinute: input.windowEndMinute !== undefined ? input.windowEndMinute : found.windowEndMinute,
    };
    validateWindow(window);
    const updated = await this.prisma.db.senderAccount.update({
      where: { id: found.id },
      data: {
        ...(input.displayName !== undefined ? { displayName: input.displayName || null } : {}),
        ...(input.dailyCap != null ? { dailyCap: input.dailyCap } : {}),
        ...(input.minGapSeconds != null ? { minGapSeconds: input.minGapSeconds } : {}),
        ...(input.timezone != null ? { timezone: input.timezone } : {}),
        ...(input.windowDays != null
          ? { windowDays: [...new Set(input.windowDays)].sort((a, b) => a - b) }
          : {}),
        ...window,
      },
    });
    return (await this.withSentToday([updated]))[0];
  }

  private create(
    organizationId: string,
    email: string,
    provider: MailProviderType,
    data: Omit<Prisma.SenderAccountUncheckedCreateInput, 'organizationId' | 'email' | 'provider'>,
  ) {
    return this.prisma.db.senderAccount
      .create({ data: { ...data, organizationId, email, provider } })
      .catch((e: unknown) => {
        // Two connects of the same address at once: the unique index decides, the loser gets CONFLICT.
        if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002') {
          throw senderAccountTaken(email, provider);
        }
        throw e;
      });
  }

  /** A pasted refresh token: refreshed once (Microsoft rotates it) and checked against the address. */
  private async oauthCredentials(adapter: OAuthMailProvider, input: ConnectSenderAccountInput) {
    if (!input.oauth) throw oauthTokenRequired(input.provider);
    try {
      const tokens = await adapter.oauth.refresh(input.oauth.refreshToken);
      const owner = await adapter.profileAddress(tokens.accessToken);
      if (owner !== input.email) throw tokenForAnotherMailbox(owner);
      return { ...withTokens({ refreshToken: input.oauth.refreshToken }, tokens) };
    } catch (e) {
      if (e instanceof MailError) throw credentialsRefused('oauth', e.message);
      throw e;
    }
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
    // Once per send job: a direct statement (a Prisma query costs the event loop about a millisecond).
    const [a] = isUUID(senderAccountId)
      ? await this.prisma.sql.$queryRaw<MailboxRow[]>`
          SELECT id, "organizationId", email, provider::text AS provider, "encryptedCredentials", "displayName",
                 status::text AS status, "dailyCap", "minGapSeconds", timezone, "windowStartMinute",
                 "windowEndMinute", "windowDays", "atLeastOnce", "pausedUntil"
          FROM "SenderAccount" WHERE id = ${senderAccountId}::uuid AND "organizationId" = ${organizationId}::uuid`
      : [];
    if (!a) throw senderAccountNotFound(senderAccountId);
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
      pausedUntil: a.pausedUntil,
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
    if (input.oauth && input.provider !== 'GMAIL' && input.provider !== 'MICROSOFT') {
      throw oauthTokenUnexpected(input.provider);
    }
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
      allowInsecureAuth: smtp.allowInsecureAuth ?? false,
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
        inboundCursor: _ic,
        inboundPollAt: _ip,
        inboundLeaseUntil: _lu,
        inboundLeaseToken: _lt,
        ...view
      }) => ({
        ...view,
        sentToday: sent.get(view.id) ?? 0,
      }),
    );
  }
}
