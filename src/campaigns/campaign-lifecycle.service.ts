import { Injectable, Logger } from '@nestjs/common';
import { badInput, conflict, DomainError, ErrorCode } from '../common/errors/domain-error.js';
import { recordEvent, type Actor } from '../common/events/event-log.js';
import type { CampaignStatus } from '../generated/prisma/enums.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { canDo, OUTCOME_UNKNOWN, type CampaignAction } from './campaign-status.js';
import { CampaignsService } from './campaigns.service.js';
import { generateRecipients } from './recipient-generation.js';

export class StartRefused extends Error {}

/**
 * The campaign lifecycle: DRAFT → SCHEDULED → SENDING ⇄ PAUSED → COMPLETED | FAILED | CANCELLED.
 * Every transition locks the campaign row, so concurrent mutations, workers and schedulers
 * serialize; an illegal transition is CONFLICT and changes nothing. Becoming SENDING fires the
 * campaign.sending trigger, which starts delivery after commit.
 */
@Injectable()
export class CampaignLifecycleService {
  private readonly logger = new Logger(CampaignLifecycleService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly campaigns: CampaignsService,
  ) {}

  async schedule(organizationId: string, actor: Actor, id: string, scheduledAt: Date) {
    if (scheduledAt.getTime() <= Date.now())
      throw badInput('scheduledAt', 'scheduledAt must be in the future');
    await this.prisma.transaction(async (tx) => {
      await this.expect(tx, organizationId, id, 'schedule');
      await tx.campaign.update({ where: { id }, data: { status: 'SCHEDULED', scheduledAt } });
      await recordEvent(tx, organizationId, 'campaign.scheduled', actor, { campaignId: id }, { scheduledAt });
      this.campaigns.announceSchedule(id, scheduledAt);
    });
    return { campaign: await this.campaigns.get(organizationId, id) };
  }

  /**
   * Starts sending now: generates the recipients and sets SENDING. For a user the refusal reasons
   * (no usable mailbox, no contacts) are CONFLICT with nothing changed; for the runner
   * (`failOnRefusal`) the campaign becomes FAILED with the reason, so it does not stay due forever.
   */
  async start(organizationId: string, actor: Actor, id: string, failOnRefusal = false) {
    try {
      const result = await this.prisma.transaction(async (tx) => {
        await this.expect(tx, organizationId, id, 'send');
        const sendingFrom = await this.usableMailboxes(tx, id);
        const { total, skipped } = await generateRecipients(tx, organizationId, id);
        if (total === 0) throw new StartRefused('The campaign has no recipients: its lists have no contacts');
        const allSkipped = total === skipped;
        await tx.campaign.update({
          where: { id },
          data: allSkipped
            ? {
                status: 'FAILED',
                error: 'Every recipient is suppressed',
                completedAt: new Date(),
                totalRecipients: total,
                startedAt: new Date(),
              }
            : { status: 'SENDING', startedAt: new Date(), totalRecipients: total, error: null },
        });
        await recordEvent(
          tx,
          organizationId,
          allSkipped ? 'campaign.failed' : 'campaign.started',
          actor,
          { campaignId: id },
          { total, skipped },
        );
        return { totalRecipients: total, skippedRecipients: skipped, sendingFrom };
      });
      return { ...result, campaign: await this.campaigns.get(organizationId, id) };
    } catch (e) {
      if (!(e instanceof StartRefused)) throw e;
      if (!failOnRefusal) throw conflict(e.message);
      await this.fail(organizationId, id, e.message, actor);
      throw e;
    }
  }

  /**
   * Starts a campaign whose scheduled time has come (the delayed start job and the runner both call
   * this; whichever comes second finds it no longer SCHEDULED and does nothing). Returns whether it
   * started it.
   */
  async startIfDue(campaignId: string, actor: Actor): Promise<boolean> {
    const c = await this.prisma.db.campaign.findUnique({
      where: { id: campaignId },
      select: { organizationId: true, status: true, scheduledAt: true },
    });
    if (!c || c.status !== 'SCHEDULED' || !c.scheduledAt || c.scheduledAt.getTime() > Date.now())
      return false;
    try {
      await this.start(c.organizationId, actor, campaignId, true);
      return true;
    } catch (e) {
      if (e instanceof DomainError && e.code === ErrorCode.CONFLICT) return false; // someone else started it
      if (e instanceof StartRefused) return false; // recorded as FAILED with the reason
      throw e;
    }
  }

  /** SENDING → PAUSED. Once this returns, no new send starts (claims check the status under a row lock). */
  async pause(organizationId: string, actor: Actor, id: string) {
    await this.prisma.transaction(async (tx) => {
      await this.expect(tx, organizationId, id, 'pause');
      await tx.campaign.update({ where: { id }, data: { status: 'PAUSED', pausedAt: new Date() } });
      await tx.campaignRecipient.updateMany({
        where: { campaignId: id, status: 'QUEUED' },
        data: { status: 'PENDING' },
      });
      await recordEvent(tx, organizationId, 'campaign.paused', actor, { campaignId: id });
    });
    return { campaign: await this.campaigns.get(organizationId, id) };
  }

  /** PAUSED → SENDING; delivery picks up where it stopped. */
  async resume(organizationId: string, actor: Actor, id: string) {
    const sendingFrom = await this.prisma.transaction(async (tx) => {
      await this.expect(tx, organizationId, id, 'resume');
      const from = await this.usableMailboxes(tx, id).catch((e: unknown) => {
        throw e instanceof StartRefused ? conflict(e.message) : e;
      });
      await tx.campaign.update({ where: { id }, data: { status: 'SENDING', pausedAt: null } });
      await recordEvent(tx, organizationId, 'campaign.resumed', actor, { campaignId: id });
      return from;
    });
    return { campaign: await this.campaigns.get(organizationId, id), sendingFrom };
  }

  /** Ends the campaign; recipients not yet sent become CANCELLED. Sends already in flight finish. */
  async cancel(organizationId: string, actor: Actor, id: string) {
    const cancelledRecipients = await this.prisma.transaction(async (tx) => {
      await this.expect(tx, organizationId, id, 'cancel');
      const now = new Date();
      await tx.campaign.update({
        where: { id },
        data: { status: 'CANCELLED', cancelledAt: now, completedAt: now },
      });
      const { count } = await tx.campaignRecipient.updateMany({
        where: { campaignId: id, status: { in: ['PENDING', 'QUEUED'] } },
        data: { status: 'CANCELLED', lastError: 'Campaign cancelled' },
      });
      await recordEvent(
        tx,
        organizationId,
        'campaign.cancelled',
        actor,
        { campaignId: id },
        { cancelledRecipients: count },
      );
      return count;
    });
    return { campaign: await this.campaigns.get(organizationId, id), cancelledRecipients };
  }

  /**
   * FAILED recipients go back to PENDING with fresh attempts (and the same Message-ID: the message
   * never went out); a finished campaign sends again. Recipients whose send may have gone out
   * (outcome unknown) are left FAILED: retrying them could deliver twice.
   */
  async retryFailed(organizationId: string, actor: Actor, id: string) {
    const recipientsQueuedForRetry = await this.prisma.transaction(async (tx) => {
      const { status } = await this.expect(tx, organizationId, id, 'retry');
      const { count } = await tx.campaignRecipient.updateMany({
        where: { campaignId: id, status: 'FAILED', NOT: { lastError: { startsWith: OUTCOME_UNKNOWN } } },
        data: { status: 'PENDING', attempts: 0, nextAttemptAt: null, queuedAt: null, lastError: null },
      });
      if (count === 0) throw conflict('The campaign has no failed recipients to retry');
      if (status !== 'PAUSED') {
        await this.usableMailboxes(tx, id).catch((e: unknown) => {
          throw e instanceof StartRefused ? conflict(e.message) : e;
        });
        await tx.campaign.update({
          where: { id },
          data: { status: 'SENDING', completedAt: null, error: null },
        });
      }
      await recordEvent(
        tx,
        organizationId,
        'campaign.retry',
        actor,
        { campaignId: id },
        { recipients: count },
      );
      return count;
    });
    return { campaign: await this.campaigns.get(organizationId, id), recipientsQueuedForRetry };
  }

  /**
   * Called by delivery after a recipient reaches a final status: when nothing is left to send, the
   * campaign becomes COMPLETED if anything was sent, FAILED ("All email sends failed") if nothing was.
   * Returns the new status, or null when work remains or the campaign is not SENDING.
   */
  async finishIfDone(campaignId: string): Promise<CampaignStatus | null> {
    // Cheap, lock-free check first (index on campaign + status): only the last send pays for the lock.
    const [open] = await this.prisma.db.$queryRaw<{ open: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM "CampaignRecipient" WHERE "campaignId" = ${campaignId}::uuid
        AND status IN ('PENDING', 'QUEUED', 'SENDING')) AS open`;
    if (open?.open) return null;
    return this.prisma.transaction(async (tx) => {
      const [c] = await tx.$queryRaw<{ status: CampaignStatus; organizationId: string }[]>`
        SELECT status, "organizationId" FROM "Campaign" WHERE id = ${campaignId}::uuid FOR UPDATE`;
      if (!c || c.status !== 'SENDING') return null;
      const [counts] = await tx.$queryRaw<{ open: bigint; sent: bigint }[]>`
        SELECT count(*) FILTER (WHERE status IN ('PENDING', 'QUEUED', 'SENDING')) AS open,
               count(*) FILTER (WHERE status IN ('SENT', 'DELIVERED', 'BOUNCED')) AS sent
        FROM "CampaignRecipient" WHERE "campaignId" = ${campaignId}::uuid`;
      if (Number(counts.open) > 0) return null;
      const status: CampaignStatus = Number(counts.sent) > 0 ? 'COMPLETED' : 'FAILED';
      await tx.campaign.update({
        where: { id: campaignId },
        data: {
          status,
          completedAt: new Date(),
          error: status === 'FAILED' ? 'All email sends failed' : null,
        },
      });
      await recordEvent(
        tx,
        c.organizationId,
        `campaign.${status.toLowerCase()}`,
        { type: 'SYSTEM', id: 'delivery' },
        { campaignId },
      );
      return status;
    });
  }

  /** Ends the campaign as FAILED with `reason`; every recipient not yet sent becomes FAILED with it. */
  async fail(organizationId: string, campaignId: string, reason: string, actor: Actor) {
    await this.prisma.transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ status: CampaignStatus }[]>`
        SELECT status FROM "Campaign" WHERE id = ${campaignId}::uuid AND "organizationId" = ${organizationId}::uuid FOR UPDATE`;
      if (!rows.length || ['COMPLETED', 'FAILED', 'CANCELLED'].includes(rows[0].status)) return;
      await tx.campaign.update({
        where: { id: campaignId },
        data: { status: 'FAILED', error: reason, completedAt: new Date() },
      });
      await tx.campaignRecipient.updateMany({
        where: { campaignId, status: { in: ['PENDING', 'QUEUED'] } },
        data: { status: 'FAILED', lastError: reason },
      });
      await recordEvent(tx, organizationId, 'campaign.failed', actor, { campaignId }, { reason });
    });
    this.logger.warn(`Campaign ${campaignId} failed: ${reason}`);
  }

  private async expect(tx: Tx, organizationId: string, id: string, action: CampaignAction) {
    const row = await this.campaigns.lock(tx, organizationId, id);
    if (!canDo(action, row.status)) {
      throw conflict(`Cannot ${action} a campaign that is ${row.status}`, { status: row.status, action });
    }
    return row;
  }

  /** The campaign's mailboxes; every one must exist and be ACTIVE, else the start is refused. */
  private async usableMailboxes(tx: Tx, campaignId: string) {
    const links = await tx.campaignSenderAccount.findMany({
      where: { campaignId },
      orderBy: { position: 'asc' },
      include: { senderAccount: { select: { email: true, status: true } } },
    });
    if (!links.length) throw new StartRefused('The campaign has no sender account');
    const broken = links.find((l) => l.senderAccount.status !== 'ACTIVE');
    if (broken) {
      throw new StartRefused(
        `Sender account ${broken.senderAccount.email} is ${broken.senderAccount.status}: reconnect it or remove it from the campaign`,
      );
    }
    return links.map((l) => l.senderAccount.email);
  }
}
