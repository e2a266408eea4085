import { Inject, Injectable, Logger } from '@nestjs/common';
import { CampaignLifecycleService } from '../../campaigns/campaign-lifecycle.service.js';
import { CampaignProgressService } from '../../campaigns/campaign-progress.service.js';
import { OUTCOME_UNKNOWN } from '../../campaigns/campaign-status.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { recordEvent, SYSTEM } from '../../common/events/event-log.js';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { Prisma } from '../../generated/prisma/client.js';
import type { RecipientStatus } from '../../generated/prisma/enums.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import {
  MailError,
  MailboxAuthError,
  MailboxQuotaError,
  PermanentMailError,
  UnknownOutcomeMailError,
} from '../../providers/mail-errors.js';
import type { MailProvider, SendResult } from '../../providers/mail-provider.port.js';
import { ProviderRegistry } from '../../providers/provider-registry.js';
import { SenderAccountsService, type LoadedMailbox } from '../../providers/sender-accounts.service.js';
import { TrackingLinks } from '../../tracking/tracking-links.js';
import { reserveMailboxSlot } from './mailbox-slot.js';
import { buildMessage, messageIdFor, templateContext } from './message-builder.js';
import { retryDelayMs } from './retry-policy.js';
import { SendQueue } from './send-queue.js';

const ACTOR = SYSTEM('delivery');
/** A delayed job may fire this much before nextAttemptAt (clock skew between processes). */
const EARLY_TOLERANCE_MS = 2000;
/** Started campaigns whose content a worker keeps in memory. */
const CONTENT_CACHE_SIZE = 20;

type Claimed = {
  id: string;
  organizationId: string;
  campaignId: string;
  contactId: string;
  email: string;
  senderAccountId: string;
  attempts: number;
  messageId: string;
};

type Mailbox = { mailbox: LoadedMailbox; provider: MailProvider };
type CampaignContent = Prisma.CampaignGetPayload<{ include: { attachments: true } }>;

/**
 * Sends one campaign recipient: claim (QUEUED → SENDING, only while the campaign is SENDING, the
 * address is not suppressed and the mailbox has a free slot), render + build MIME, call the
 * provider, record the outcome. The Message-ID is stored with the claim, before the provider is
 * called, so an unsure send is reconciled instead of repeated. Every write after the claim is
 * conditional on the recipient still being SENDING, so the recovery sweep and a late worker never
 * both decide its fate.
 */
@Injectable()
export class CampaignSendService {
  private readonly logger = new Logger(CampaignSendService.name);
  private readonly contentCache = new Map<string, Promise<CampaignContent>>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly mailboxes: SenderAccountsService,
    private readonly providers: ProviderRegistry,
    private readonly lifecycle: CampaignLifecycleService,
    private readonly progress: CampaignProgressService,
    private readonly links: TrackingLinks,
    private readonly queue: SendQueue,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  async send(recipientId: string): Promise<void> {
    const claimed = await this.claim(recipientId);
    if (!claimed) return;
    try {
      await this.deliver(claimed);
    } finally {
      this.progress.touch(claimed.organizationId, claimed.campaignId);
    }
  }

  /**
   * A recipient left SENDING by a worker that died: ask the provider whether the message went out;
   * where it cannot be asked, the mailbox's promise decides (at most once unless it opted in).
   */
  async reconcileStuck(recipientId: string) {
    const r = await this.prisma.db.campaignRecipient.findUnique({ where: { id: recipientId } });
    if (!r || r.status !== 'SENDING' || !r.senderAccountId || !r.messageId) return;
    const claimed: Claimed = { ...r, senderAccountId: r.senderAccountId, messageId: r.messageId };
    try {
      const mb = await this.mailboxOf(claimed);
      await this.handleFailure(
        claimed,
        mb,
        new UnknownOutcomeMailError('the worker stopped during the send'),
      );
    } catch (e) {
      await this.finish(
        claimed,
        'FAILED',
        `${OUTCOME_UNKNOWN}; the mailbox cannot be asked: ${this.describe(e)}`,
      );
    }
    this.progress.touch(r.organizationId, r.campaignId);
  }

  private async deliver(claimed: Claimed) {
    let mb: Mailbox;
    try {
      mb = await this.mailboxOf(claimed);
    } catch (e) {
      // Nothing was sent: an unusable mailbox ends the campaign, a passing error is retried.
      if (e instanceof MailboxAuthError)
        return this.mailboxRefused(claimed, claimed.senderAccountId, e.message);
      return this.retryOrFail(claimed, this.describe(e));
    }
    let result: SendResult;
    try {
      const message = await this.render(claimed, mb.mailbox.email);
      result = await mb.provider.send(mb.mailbox, {
        messageId: claimed.messageId,
        from: mb.mailbox.email,
        to: claimed.email,
        subject: message.subject,
        raw: message.raw,
      });
    } catch (error) {
      return this.handleFailure(claimed, mb, error);
    }
    // The provider accepted it: from here on, never send again; keep trying to record it.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.markSent(claimed, result);
      } catch (e) {
        if (attempt >= 5) {
          this.logger.error(
            `sent ${claimed.id} but could not record it; the sweep will reconcile it`,
            e as Error,
          );
          return;
        }
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }

  private async mailboxOf(r: Claimed): Promise<Mailbox> {
    const mailbox = await this.mailboxes.loadMailbox(r.organizationId, r.senderAccountId);
    return { mailbox, provider: this.providers.get(mailbox.provider) };
  }

  private async claim(recipientId: string): Promise<Claimed | null> {
    type Row = Claimed & {
      status: string;
      campaign_status: string;
      mailboxEmail: string | null;
      suppressed: boolean;
      early: boolean;
    };
    type Outcome = { fail: string; r: Row } | { claimed: Claimed } | { skipped: Row } | null;
    const outcome = await this.prisma.transaction(async (tx): Promise<Outcome> => {
      const [r] = await tx.$queryRaw<Row[]>`
        SELECT r.id, r."organizationId", r."campaignId", r."contactId", r.email, r."senderAccountId", r.attempts,
               r."messageId", r.status, c.status AS campaign_status, s.email AS "mailboxEmail",
               EXISTS (SELECT 1 FROM "Suppression" x WHERE x."organizationId" = r."organizationId" AND x.email = r.email)
                 AS suppressed,
               COALESCE(r."nextAttemptAt" > now() + make_interval(secs => ${EARLY_TOLERANCE_MS / 1000}), false) AS early
        FROM "CampaignRecipient" r
        JOIN "Campaign" c ON c.id = r."campaignId"
        LEFT JOIN "SenderAccount" s ON s.id = r."senderAccountId"
        WHERE r.id = ${recipientId}::uuid
        FOR UPDATE OF r FOR KEY SHARE OF c`;
      // Not ours any more, the campaign is not running, or a stale job ahead of the backoff.
      if (!r || r.status !== 'QUEUED' || r.campaign_status !== 'SENDING' || r.early) return null;
      if (r.suppressed) {
        await tx.campaignRecipient.update({
          where: { id: r.id },
          data: { status: 'SKIPPED', lastError: 'Address is on the suppression list' },
        });
        return { skipped: r };
      }
      if (!r.senderAccountId) return { fail: 'The recipient has no sender account', r };
      const slot = await reserveMailboxSlot(tx, r.senderAccountId);
      if (!slot.ok && slot.reason === 'inactive') {
        return { fail: `Sender account ${slot.email} is ${slot.status}`, r };
      }
      if (!slot.ok) {
        // Not claimed after all: back to PENDING, and not counted against today's batch.
        await tx.campaignRecipient.update({
          where: { id: r.id },
          data: {
            status: 'PENDING',
            queuedAt: null,
            nextAttemptAt: slot.reason === 'window' ? null : slot.retryAt,
          },
        });
        return null;
      }
      const messageId =
        r.messageId ?? messageIdFor('r', r.id, r.mailboxEmail ?? 'unknown@campaign-engine.local');
      await tx.campaignRecipient.update({
        where: { id: r.id },
        data: { status: 'SENDING', sendingAt: new Date(), attempts: { increment: 1 }, messageId },
      });
      return { claimed: { ...r, senderAccountId: r.senderAccountId, messageId, attempts: r.attempts + 1 } };
    });
    if (!outcome) return null;
    if ('skipped' in outcome) {
      await this.lifecycle.finishIfDone(outcome.skipped.campaignId);
      this.progress.touch(outcome.skipped.organizationId, outcome.skipped.campaignId);
      return null;
    }
    if ('fail' in outcome) {
      await this.lifecycle.fail(outcome.r.organizationId, outcome.r.campaignId, outcome.fail, ACTOR);
      this.progress.touch(outcome.r.organizationId, outcome.r.campaignId);
      return null;
    }
    return outcome.claimed;
  }

  /**
   * A started campaign's content (templates, attachments) never changes again (updateCampaign only
   * accepts DRAFT and SCHEDULED), so each worker loads it once per campaign instead of once per
   * send: attachments may weigh megabytes.
   */
  private content(campaignId: string) {
    let entry = this.contentCache.get(campaignId);
    if (!entry) {
      entry = this.prisma.db.campaign.findUniqueOrThrow({
        where: { id: campaignId },
        include: { attachments: true },
      });
      entry.catch(() => this.contentCache.delete(campaignId));
      this.contentCache.set(campaignId, entry);
      if (this.contentCache.size > CONTENT_CACHE_SIZE) {
        this.contentCache.delete(this.contentCache.keys().next().value as string);
      }
    }
    return entry;
  }

  private async render(r: Claimed, mailboxEmail: string) {
    const [campaign, contact] = await Promise.all([
      this.content(r.campaignId),
      this.prisma.db.contact.findUniqueOrThrow({ where: { id: r.contactId } }),
    ]);
    const unsubscribeUrl = this.links.unsubscribeUrl(r.id);
    return buildMessage(campaign, templateContext(contact, campaign, mailboxEmail, unsubscribeUrl), {
      messageId: r.messageId,
      fromEmail: mailboxEmail,
      to: r.email,
      unsubscribeUrl,
      openPixelUrl: campaign.trackOpens ? this.links.openPixelUrl(r.id) : undefined,
    });
  }

  private markSent(r: Claimed, result: SendResult) {
    return this.finish(r, 'SENT', null, result);
  }

  /**
   * Records a final status, only if the recipient is still SENDING (else someone already decided),
   * with the campaign's counters and an event in the same transaction; then finishes the campaign
   * if nothing is left.
   */
  private async finish(
    r: Claimed,
    status: Extract<RecipientStatus, 'SENT' | 'FAILED'>,
    reason: string | null,
    result?: SendResult,
  ) {
    const recorded = await this.prisma.transaction(async (tx) => {
      const { count } = await tx.campaignRecipient.updateMany({
        where: { id: r.id, status: 'SENDING' },
        data:
          status === 'SENT'
            ? {
                status,
                sentAt: new Date(),
                lastError: null,
                providerMessageId: result?.providerMessageId ?? null,
                providerThreadId: result?.providerThreadId ?? null,
              }
            : { status, lastError: reason },
      });
      if (!count) return false;
      await tx.campaign.update({
        where: { id: r.campaignId },
        data: status === 'SENT' ? { sentCount: { increment: 1 } } : { failedCount: { increment: 1 } },
      });
      await recordEvent(
        tx,
        r.organizationId,
        status === 'SENT' ? 'recipient.sent' : 'recipient.failed',
        ACTOR,
        { campaignId: r.campaignId, recipientId: r.id },
        reason ? { reason } : {},
      );
      return true;
    });
    if (recorded) await this.lifecycle.finishIfDone(r.campaignId);
  }

  /** Back to QUEUED with a delayed job; the next attempt keeps the same Message-ID. */
  private async retryLater(r: Claimed, reason: string, delayMs: number) {
    const queuedAt = new Date();
    const { count } = await this.prisma.db.campaignRecipient.updateMany({
      where: { id: r.id, status: 'SENDING' },
      data: { status: 'QUEUED', queuedAt, lastError: reason, nextAttemptAt: new Date(Date.now() + delayMs) },
    });
    if (count) await this.queue.enqueueRecipients([{ id: r.id, queuedAt }], [delayMs]);
  }

  private retryOrFail(r: Claimed, reason: string, retryAfterMs?: number) {
    if (r.attempts >= this.config.delivery.maxAttempts) {
      return this.finish(r, 'FAILED', `${reason} (gave up after ${r.attempts} attempts)`);
    }
    return this.retryLater(
      r,
      reason,
      retryDelayMs(r.attempts, this.config.delivery.retryBaseMs, retryAfterMs),
    );
  }

  /** The mailbox refused its credentials: it is DISCONNECTED and the campaign ends FAILED with the reason. */
  private async mailboxRefused(r: Claimed, senderAccountId: string, reason: string) {
    await this.mailboxes.markDisconnected(r.organizationId, senderAccountId, reason);
    const email =
      (await this.prisma.db.senderAccount.findUnique({ where: { id: senderAccountId } }))?.email ??
      senderAccountId;
    const message = `Sender account ${email} was disconnected: ${reason}`;
    // The campaign first, so its error is this reason rather than "All email sends failed".
    await this.lifecycle.fail(r.organizationId, r.campaignId, message, ACTOR);
    await this.finish(r, 'FAILED', message);
  }

  private async handleFailure(r: Claimed, mb: Mailbox, error: unknown): Promise<void> {
    const reason = this.describe(error);
    if (error instanceof PermanentMailError) return this.finish(r, 'FAILED', reason);
    if (error instanceof MailboxAuthError) return this.mailboxRefused(r, r.senderAccountId, reason);
    if (error instanceof MailboxQuotaError) {
      const at = new Date(Date.now() + (error.retryAfterMs ?? 3600_000));
      await this.prisma.db.senderAccount.update({
        where: { id: r.senderAccountId },
        data: { nextSendAt: at, lastError: reason },
      });
      await this.prisma.db.campaignRecipient.updateMany({
        where: { id: r.id, status: 'SENDING' },
        data: {
          status: 'PENDING',
          queuedAt: null,
          nextAttemptAt: at,
          lastError: reason,
          attempts: { decrement: 1 },
        },
      });
      return;
    }
    if (error instanceof UnknownOutcomeMailError) {
      if (mb.provider.canReconcile) {
        let found: SendResult | null;
        try {
          found = await mb.provider.findSent(mb.mailbox, r.messageId);
        } catch (e) {
          // Cannot tell yet: stay SENDING; the recovery sweep asks again later.
          this.logger.warn(`could not reconcile ${r.id}: ${this.describe(e)}`);
          return;
        }
        if (found) return this.markSent(r, found);
      } else if (!mb.mailbox.atLeastOnce) {
        return this.finish(
          r,
          'FAILED',
          `${OUTCOME_UNKNOWN} (${reason}); not retried: this mailbox sends at most once`,
        );
      }
    }
    const retryAfter = (error as { retryAfterMs?: number }).retryAfterMs;
    return this.retryOrFail(r, reason, retryAfter);
  }

  /** A reason fit to show users: provider and engine errors as they are, anything else masked. */
  private describe(error: unknown) {
    if (error instanceof MailError || error instanceof DomainError) return error.message;
    this.logger.error('unexpected send failure', error as Error);
    return 'Internal error while sending (see the server log)';
  }
}
