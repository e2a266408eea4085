import { Inject, Injectable, Logger } from '@nestjs/common';
import { CampaignLifecycleService } from '../../campaigns/campaign-lifecycle.service.js';
import { CampaignProgressService } from '../../campaigns/campaign-progress.service.js';
import { recordEvent, SYSTEM } from '../../common/events/event-log.js';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
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
import { SenderAccountsService } from '../../providers/sender-accounts.service.js';
import { TrackingLinks } from '../../tracking/tracking-links.js';
import { SendQueue } from './send-queue.js';
import { reserveMailboxSlot } from './mailbox-slot.js';
import { buildMessage, messageIdFor, templateContext } from './message-builder.js';
import { retryDelayMs } from './retry-policy.js';

const ACTOR = SYSTEM('delivery');

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

/**
 * Sends one campaign recipient: claim (QUEUED → SENDING, only while the campaign is SENDING and
 * the mailbox has a free slot), render + build MIME, call the provider, record the outcome.
 * The Message-ID is stored with the claim, before the provider is called, so an unsure send can
 * be reconciled instead of repeated.
 */
@Injectable()
export class CampaignSendService {
  private readonly logger = new Logger(CampaignSendService.name);

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
    const mailbox = await this.mailboxes.loadMailbox(claimed.organizationId, claimed.senderAccountId);
    const provider = this.providers.get(mailbox.provider);
    try {
      const raw = await this.render(claimed, mailbox.email);
      const result = await provider.send(mailbox, {
        messageId: claimed.messageId,
        from: mailbox.email,
        to: claimed.email,
        subject: raw.subject,
        raw: raw.raw,
      });
      await this.markSent(claimed, result);
    } catch (error) {
      await this.handleFailure(claimed, provider, mailbox, error);
    }
    this.progress.touch(claimed.organizationId, claimed.campaignId);
  }

  /** Recipients SENDING for too long (their worker died): ask the provider, else decide by the mailbox's promise. */
  async reconcileStuck(recipientId: string) {
    const r = await this.prisma.db.campaignRecipient.findUnique({ where: { id: recipientId } });
    if (!r || r.status !== 'SENDING' || !r.senderAccountId || !r.messageId) return;
    const claimed: Claimed = { ...r, senderAccountId: r.senderAccountId, messageId: r.messageId };
    const mailbox = await this.mailboxes.loadMailbox(r.organizationId, r.senderAccountId);
    const provider = this.providers.get(mailbox.provider);
    await this.handleFailure(
      claimed,
      provider,
      mailbox,
      new UnknownOutcomeMailError('The worker stopped during the send'),
    );
    this.progress.touch(r.organizationId, r.campaignId);
  }

  private async claim(recipientId: string): Promise<Claimed | null> {
    type Row = Claimed & { status: string; campaign_status: string; mailboxEmail: string | null };
    type Outcome = { fail: string; r: Row } | { claimed: Claimed } | null;
    const outcome = await this.prisma.transaction(async (tx): Promise<Outcome> => {
      const [r] = await tx.$queryRaw<Row[]>`
        SELECT r.id, r."organizationId", r."campaignId", r."contactId", r.email, r."senderAccountId", r.attempts,
               r."messageId", r.status, c.status AS campaign_status, s.email AS "mailboxEmail"
        FROM "CampaignRecipient" r
        JOIN "Campaign" c ON c.id = r."campaignId"
        LEFT JOIN "SenderAccount" s ON s.id = r."senderAccountId"
        WHERE r.id = ${recipientId}::uuid
        FOR UPDATE OF r FOR SHARE OF c`;
      if (!r || r.status !== 'QUEUED' || r.campaign_status !== 'SENDING') return null;
      if (!r.senderAccountId) return { fail: 'The recipient has no sender account', r };
      const slot = await reserveMailboxSlot(tx, r.senderAccountId);
      if (!slot.ok && slot.reason === 'inactive') {
        return { fail: `Sender account ${slot.email} is ${slot.status}`, r };
      }
      if (!slot.ok) {
        await tx.campaignRecipient.update({
          where: { id: r.id },
          data: { status: 'PENDING', nextAttemptAt: slot.retryAt },
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
    if ('fail' in outcome) {
      await this.lifecycle.fail(outcome.r.organizationId, outcome.r.campaignId, outcome.fail, ACTOR);
      this.progress.touch(outcome.r.organizationId, outcome.r.campaignId);
      return null;
    }
    return outcome.claimed;
  }

  private async render(r: Claimed, mailboxEmail: string) {
    const [campaign, contact] = await Promise.all([
      this.prisma.db.campaign.findUniqueOrThrow({
        where: { id: r.campaignId },
        include: { attachments: true },
      }),
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

  private async markSent(r: Claimed, result: SendResult) {
    await this.prisma.transaction(async (tx) => {
      await tx.campaignRecipient.update({
        where: { id: r.id },
        data: {
          status: 'SENT',
          sentAt: new Date(),
          lastError: null,
          providerMessageId: result.providerMessageId,
          providerThreadId: result.providerThreadId ?? null,
        },
      });
      await tx.campaign.update({ where: { id: r.campaignId }, data: { sentCount: { increment: 1 } } });
      await recordEvent(tx, r.organizationId, 'recipient.sent', ACTOR, {
        campaignId: r.campaignId,
        recipientId: r.id,
      });
    });
    await this.lifecycle.finishIfDone(r.campaignId);
  }

  private async markFailed(r: Claimed, reason: string) {
    await this.prisma.transaction(async (tx) => {
      await tx.campaignRecipient.update({
        where: { id: r.id },
        data: { status: 'FAILED', lastError: reason },
      });
      await tx.campaign.update({ where: { id: r.campaignId }, data: { failedCount: { increment: 1 } } });
      await recordEvent(
        tx,
        r.organizationId,
        'recipient.failed',
        ACTOR,
        { campaignId: r.campaignId, recipientId: r.id },
        { reason },
      );
    });
    await this.lifecycle.finishIfDone(r.campaignId);
  }

  /** Back to QUEUED with a delayed job: the next attempt keeps the same Message-ID. */
  private async retryLater(r: Claimed, reason: string, delayMs: number) {
    await this.prisma.db.campaignRecipient.update({
      where: { id: r.id },
      data: {
        status: 'QUEUED',
        queuedAt: new Date(),
        lastError: reason,
        nextAttemptAt: new Date(Date.now() + delayMs),
      },
    });
    await this.queue.enqueueRecipients([{ id: r.id, attempts: r.attempts }], [delayMs]);
  }

  private async handleFailure(
    r: Claimed,
    provider: MailProvider,
    mailbox: Awaited<ReturnType<SenderAccountsService['loadMailbox']>>,
    error: unknown,
  ) {
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof PermanentMailError) return this.markFailed(r, reason);
    if (error instanceof MailboxAuthError) {
      await this.mailboxes.markDisconnected(r.organizationId, r.senderAccountId, reason);
      await this.prisma.db.campaignRecipient.update({
        where: { id: r.id },
        data: { status: 'FAILED', lastError: `Sender account ${mailbox.email} was disconnected: ${reason}` },
      });
      return this.lifecycle.fail(
        r.organizationId,
        r.campaignId,
        `Sender account ${mailbox.email} was disconnected: ${reason}`,
        ACTOR,
      );
    }
    if (error instanceof MailboxQuotaError) {
      const at = new Date(Date.now() + (error.retryAfterMs ?? 3600_000));
      await this.prisma.db.senderAccount.update({
        where: { id: r.senderAccountId },
        data: { nextSendAt: at, lastError: reason },
      });
      await this.prisma.db.campaignRecipient.update({
        where: { id: r.id },
        data: { status: 'PENDING', nextAttemptAt: at, lastError: reason, attempts: { decrement: 1 } },
      });
      return;
    }
    if (error instanceof UnknownOutcomeMailError) {
      const found = provider.canReconcile
        ? await provider.findSent(mailbox, r.messageId).catch(() => null)
        : null;
      if (found) return this.markSent(r, found);
      if (!provider.canReconcile && !mailbox.atLeastOnce) {
        return this.markFailed(
          r,
          `Outcome unknown (${reason}); not retried: this mailbox sends at most once`,
        );
      }
    }
    if (!(error instanceof MailError))
      this.logger.error(`send of recipient ${r.id} failed unexpectedly`, error as Error);
    if (r.attempts >= this.config.delivery.maxAttempts) {
      return this.markFailed(r, `${reason} (gave up after ${r.attempts} attempts)`);
    }
    const retryAfter = (error as { retryAfterMs?: number }).retryAfterMs;
    return this.retryLater(r, reason, retryDelayMs(r.attempts, this.config.delivery.retryBaseMs, retryAfter));
  }
}
