import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { runsWorker, type ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { MailProviderType } from '../../generated/prisma/enums.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { INBOUND_SINK, type InboundSink } from '../inbound-sink.port.js';
import { MailboxAuthError, TransientMailError } from '../mail-errors.js';
import { MAIL_PROVIDERS, type MailProvider } from '../mail-provider.port.js';
import { isOAuthProvider } from '../oauth/oauth-mail-provider.js';
import { SenderAccountsService } from '../sender-accounts.service.js';

interface Claimed {
  id: string;
  organizationId: string;
  inboundCursor: string | null;
}

/** Mailboxes taken per tick by one process; each is polled in parallel with the others. */
const MAILBOXES_PER_TICK = 8;
const MAX_ERROR_LENGTH = 1000;

/**
 * Polls every ACTIVE mailbox whose adapter can fetch inbound mail, each at most every
 * INBOUND_POLL_INTERVAL_SECONDS and at most INBOUND_POLL_MAX_MESSAGES per poll, and hands what it
 * fetched to the INBOUND_SINK. A mailbox is leased in the database (`FOR UPDATE SKIP LOCKED` on
 * the due column, then a lease with a token), so any number of worker processes never poll one
 * mailbox at the same time. The cursor is stored only after the sink has recorded the batch.
 */
@Injectable()
export class InboundPollerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(InboundPollerService.name);
  private readonly polled: MailProviderType[];
  private readonly adapters: Map<MailProviderType, MailProvider>;
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(MAIL_PROVIDERS) adapters: MailProvider[],
    private readonly accounts: SenderAccountsService,
    @Inject(INBOUND_SINK) private readonly sink: InboundSink,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {
    this.adapters = new Map(adapters.map((a) => [a.type, a]));
    // A provider without its OAuth client configured cannot refresh tokens: polling it would only
    // turn a configuration gap into disconnected mailboxes.
    this.polled = adapters
      .filter((a) => typeof a.fetchInbound === 'function' && (!isOAuthProvider(a) || a.oauth.configured))
      .map((a) => a.type);
  }

  onApplicationBootstrap() {
    if (!runsWorker(this.config.role) || !this.config.inbound.enabled || !this.polled.length) return;
    const tickMs = Math.min(5000, this.config.inbound.intervalSeconds * 1000);
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.pollDue()
        .catch((e: unknown) => this.logger.error(`inbound poll failed: ${String(e)}`))
        .finally(() => (this.running = undefined));
    }, tickMs);
  }

  async onModuleDestroy() {
    clearInterval(this.timer);
    await this.running;
  }

  /** Leases the mailboxes that are due and polls them. Returns how many were polled. */
  async pollDue(): Promise<number> {
    if (!this.polled.length) return 0;
    const token = randomUUID();
    const claimed = await this.prisma.db.$queryRaw<Claimed[]>`
      UPDATE "SenderAccount" s
      SET "inboundLeaseUntil" = now() + make_interval(secs => ${this.config.inbound.leaseSeconds}),
          "inboundLeaseToken" = ${token}::uuid
      WHERE s.id IN (
        SELECT id FROM "SenderAccount"
        WHERE status = 'ACTIVE'
          AND provider::text = ANY(${this.polled}::text[])
          AND ("inboundPollAt" IS NULL OR "inboundPollAt" <= now())
          AND ("inboundLeaseUntil" IS NULL OR "inboundLeaseUntil" <= now())
        ORDER BY "inboundPollAt" ASC NULLS FIRST, id
        LIMIT ${MAILBOXES_PER_TICK}
        FOR UPDATE SKIP LOCKED)
      RETURNING s.id::text AS id, s."organizationId"::text AS "organizationId", s."inboundCursor"`;
    await Promise.all(claimed.map((c) => this.pollOne(c, token)));
    return claimed.length;
  }

  private async pollOne(claimed: Claimed, token: string) {
    const { inbound } = this.config;
    let moreWaiting = false;
    try {
      const mailbox = await this.accounts.loadMailbox(claimed.organizationId, claimed.id);
      const adapter = this.adapters.get(mailbox.provider);
      if (!adapter?.fetchInbound) return await this.release(claimed.id, token, { error: null, soon: false });
      // Stop fetching well before the lease ends, so a slow poll never overlaps the next one.
      const signal = AbortSignal.timeout(Math.max(1000, inbound.leaseSeconds * 1000 - 5000));
      let cursor = claimed.inboundCursor;
      let fetched = 0;
      for (;;) {
        const batch = await adapter.fetchInbound(mailbox, cursor, {
          limit: inbound.maxMessages - fetched,
          signal,
        });
        if (batch.messages.length) {
          const { id, organizationId, email, provider } = mailbox;
          await this.sink.record({ id, organizationId, email, provider }, batch.messages);
        }
        if (!(await this.storeCursor(claimed.id, token, batch.cursor))) return; // the lease was lost
        cursor = batch.cursor;
        fetched += batch.messages.length;
        moreWaiting = !!batch.more;
        if (!batch.more || fetched >= inbound.maxMessages) break;
      }
      await this.release(claimed.id, token, { error: null, soon: moreWaiting });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (e instanceof MailboxAuthError) {
        await this.accounts.markDisconnected(claimed.organizationId, claimed.id, message);
      }
      const retryAfterMs = e instanceof TransientMailError ? e.retryAfterMs : undefined;
      this.logger.warn(`inbound poll of mailbox ${claimed.id} failed: ${message}`);
      await this.release(claimed.id, token, { error: message, soon: false, retryAfterMs });
    }
  }

  private async storeCursor(id: string, token: string, cursor: string) {
    const n = await this.prisma.db.$executeRaw`
      UPDATE "SenderAccount" SET "inboundCursor" = ${cursor}
      WHERE id = ${id}::uuid AND "inboundLeaseToken" = ${token}::uuid`;
    return n === 1;
  }

  /** Ends the lease and sets the next poll: now when more mail is waiting, else after the interval (or Retry-After). */
  private async release(
    id: string,
    token: string,
    outcome: { error: string | null; soon: boolean; retryAfterMs?: number },
  ) {
    const waitSeconds = outcome.soon
      ? 0
      : Math.max(this.config.inbound.intervalSeconds, Math.ceil((outcome.retryAfterMs ?? 0) / 1000));
    await this.prisma.db.$executeRaw`
      UPDATE "SenderAccount"
      SET "inboundLeaseUntil" = NULL, "inboundLeaseToken" = NULL, "inboundPolledAt" = now(),
          "inboundPollAt" = now() + make_interval(secs => ${waitSeconds}),
          "inboundError" = ${outcome.error?.slice(0, MAX_ERROR_LENGTH) ?? null}
      WHERE id = ${id}::uuid AND "inboundLeaseToken" = ${token}::uuid`;
  }
}
