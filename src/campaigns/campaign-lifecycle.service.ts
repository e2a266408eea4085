import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock/clock.js';
import {
  badInput,
  conflict,
  DomainError,
  ErrorCode,
  isUuid,
  notFound,
} from '../common/errors/domain-error.js';
import { recordEvent, SYSTEM, type Actor } from '../common/events/event-log.js';
import type { ContentSpec } from '../delivery/delivery.contract.js';
import { openCount } from '../delivery/ledger/counters.js';
import { DeliveryService } from '../delivery/delivery.service.js';
import { Prisma } from '../generated/prisma/client.js';
import type { CampaignStatus } from '../generated/prisma/enums.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { canDo, type CampaignAction } from './campaign-status.js';
import { CampaignsService } from './campaigns.service.js';
import { recipientRows } from './recipient-generation.js';

export class StartRefused extends Error {}

/** Starting a very large campaign inserts its recipients in one statement: give it time. */
const START_TIMEOUT_MS = 120_000;

/**
 * The campaign lifecycle: DRAFT → SCHEDULED → SENDING ⇄ PAUSED → COMPLETED | FAILED | CANCELLED.
 * Every transition locks the campaign row first, then acts on its delivery group (lock order of
 * docs/adr/005), so concurrent mutations, workers and schedulers serialize and an illegal
 * transition is CONFLICT and changes nothing. Becoming SENDING fires the campaign.sending trigger.
 */
@Injectable()
export class CampaignLifecycleService {
  private readonly logger = new Logger(CampaignLifecycleService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly campaigns: CampaignsService,
    private readonly delivery: DeliveryService,
    private readonly clock: Clock,
  ) {}

  async schedule(organizationId: string, actor: Actor, id: string, scheduledAt: Date) {
    if (scheduledAt.getTime() <= this.clock.now().getTime())
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
   * Starts sending now: snapshots the content for delivery, hands every recipient over (in the
   * database, whatever their number) and sets SENDING. For a user the refusal reasons (no usable
   * mailbox, no contacts) are CONFLICT with nothing changed; for the runner (`failOnRefusal`) the
   * campaign becomes FAILED with the reason, so it does not stay due forever.
   */
  async start(organizationId: string, actor: Actor, id: string, failOnRefusal = false) {
    try {
      const result = await this.prisma.transaction(
        async (tx) => {
          const campaign = await this.lockForStart(tx, organizationId, id);
          const sendingFrom = usableMailboxes(campaign.senders);
          const contentId = await this.delivery.createContent(
            tx,
            {
              organizationId,
              subject: campaign.subject,
              htmlBody: campaign.htmlBody,
              textBody: campaign.textBody,
              fromName: campaign.fromName,
              replyTo: campaign.replyTo,
              trackOpens: campaign.trackOpens,
              trackClicks: campaign.trackClicks,
              variables: { campaign: { name: campaign.name } },
            },
            Prisma.sql`SELECT (row_number() OVER (ORDER BY position, "createdAt", id) - 1)::int AS position, filename,
                         "contentType" AS content_type, content AS data
                       FROM "CampaignAttachment" WHERE "campaignId" = ${id}::uuid`,
          );
          const group = { id, organizationId, sourceType: 'CAMPAIGN' as const };
          await this.delivery.openGroup(tx, {
            ...group,
            dailyLimit: campaign.dailySendLimit,
            timezone: campaign.timezone,
          });
          const { total, skipped } = await this.delivery.handOverQuery(
            tx,
            group,
            contentId,
            recipientRows(organizationId, id, campaign.listIds),
          );
          if (total === 0)
            throw new StartRefused('The campaign has no recipients: its lists have no contacts');
          const allSkipped = total === skipped;
          const now = this.clock.now();
          await tx.campaign.update({
            where: { id },
            data: allSkipped
              ? {
                  status: 'FAILED',
                  error: 'Every recipient is suppressed',
                  completedAt: now,
                  totalRecipients: total,
                  startedAt: now,
                }
              : { status: 'SENDING', startedAt: now, totalRecipients: total, error: null },
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
        },
        { timeout: START_TIMEOUT_MS },
      );
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
    if (
      !c ||
      c.status !== 'SCHEDULED' ||
      !c.scheduledAt ||
      c.scheduledAt.getTime() > this.clock.now().getTime()
    )
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

  /** SENDING → PAUSED. Once this returns, no new send starts; what was queued waits again. */
  async pause(organizationId: string, actor: Actor, id: string) {
    await this.prisma.transaction(async (tx) => {
      await this.expect(tx, organizationId, id, 'pause');
      await tx.campaign.update({ where: { id }, data: { status: 'PAUSED', pausedAt: this.clock.now() } });
      await recordEvent(tx, organizationId, 'campaign.paused', actor, { campaignId: id });
      await this.delivery.pause(tx, id);
    });
    return { campaign: await this.campaigns.get(organizationId, id) };
  }

  /** PAUSED → SENDING; delivery picks up where it stopped. */
  async resume(organizationId: string, actor: Actor, id: string) {
    const sendingFrom = await this.prisma.transaction(async (tx) => {
      await this.expect(tx, organizationId, id, 'resume');
      const from = await this.mailboxesOf(tx, id).catch((e: unknown) => {
        throw e instanceof StartRefused ? conflict(e.message) : e;
      });
      await tx.campaign.update({ where: { id }, data: { status: 'SENDING', pausedAt: null } });
      await recordEvent(tx, organizationId, 'campaign.resumed', actor, { campaignId: id });
      await this.delivery.resume(tx, id);
      return from;
    });
    return { campaign: await this.campaigns.get(organizationId, id), sendingFrom };
  }

  /** Ends the campaign; recipients not yet handed to a provider become CANCELLED. Sends in flight finish. */
  async cancel(organizationId: string, actor: Actor, id: string) {
    const cancelledRecipients = await this.prisma.transaction(async (tx) => {
      const { status } = await this.expect(tx, organizationId, id, 'cancel');
      const now = this.clock.now();
      await tx.campaign.update({
        where: { id },
        data: { status: 'CANCELLED', cancelledAt: now, completedAt: now },
      });
      const started = status === 'SENDING' || status === 'PAUSED';
      const { count } = started ? await this.delivery.cancel(tx, id, 'Campaign cancelled') : { count: 0 };
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
      const reopen = status !== 'PAUSED';
      if (reopen) {
        await this.mailboxesOf(tx, id).catch((e: unknown) => {
          throw e instanceof StartRefused ? conflict(e.message) : e;
        });
        // The group before its messages (lock order); a refusal below rolls this back too.
        await this.delivery.resume(tx, id);
      }
      const count = await this.delivery.retryFailed(tx, id);
      if (count === 0) throw conflict('The campaign has no failed recipients to retry');
      if (reopen) {
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
   * When nothing is left to send (its delivery counters say so), a SENDING campaign becomes
   * COMPLETED if anything was sent, FAILED ("All email sends failed") if nothing was. Returns the
   * new status, or null when work remains or the campaign is not SENDING.
   */
  async finishIfDone(campaignId: string): Promise<CampaignStatus | null> {
    if (openCount(await this.delivery.stats(campaignId)) > 0) return null;
    return this.prisma.transaction(async (tx) => {
      const [c] = await tx.$queryRaw<{ status: CampaignStatus; organizationId: string }[]>`
        SELECT status, "organizationId" FROM "Campaign" WHERE id = ${campaignId}::uuid FOR UPDATE`;
      if (!c || c.status !== 'SENDING') return null;
      // Counted again under the campaign lock: a retry may have reopened it meanwhile.
      const stats = await this.delivery.stats(campaignId, tx);
      if (openCount(stats) > 0) return null;
      const status: CampaignStatus = stats.accepted > 0 ? 'COMPLETED' : 'FAILED';
      await tx.campaign.update({
        where: { id: campaignId },
        data: {
          status,
          completedAt: this.clock.now(),
          error: status === 'FAILED' ? 'All email sends failed' : null,
        },
      });
      await recordEvent(tx, c.organizationId, `campaign.${status.toLowerCase()}`, SYSTEM('delivery'), {
        campaignId,
      });
      return status;
    });
  }

  /** SENDING campaigns with nothing left to send (the runner's safety net for missed reactions). */
  async finishSettled() {
    const rows = await this.prisma.db.$queryRaw<{ id: string }[]>`
      SELECT c.id FROM "Campaign" c
      WHERE c.status = 'SENDING' AND COALESCE((SELECT sum(pending + queued + sending) FROM "DeliveryCounter" d
                                               WHERE d."groupId" = c.id), 0) = 0`;
    for (const r of rows) await this.finishIfDone(r.id);
  }

  /** Ends the campaign as FAILED with `reason`; every recipient not yet sent becomes FAILED with it. */
  async fail(organizationId: string, campaignId: string, reason: string, actor: Actor) {
    await this.prisma.transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ status: CampaignStatus }[]>`
        SELECT status FROM "Campaign" WHERE id = ${campaignId}::uuid AND "organizationId" = ${organizationId}::uuid FOR UPDATE`;
      if (!rows.length || ['COMPLETED', 'FAILED', 'CANCELLED'].includes(rows[0].status)) return;
      const started = rows[0].status === 'SENDING' || rows[0].status === 'PAUSED';
      await tx.campaign.update({
        where: { id: campaignId },
        data: { status: 'FAILED', error: reason, completedAt: this.clock.now() },
      });
      await recordEvent(tx, organizationId, 'campaign.failed', actor, { campaignId }, { reason });
      if (started) await this.delivery.failUnsent(tx, campaignId, reason);
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

  /**
   * The start's first statement: locks the campaign (FOR UPDATE, as every transition does first),
   * checks it may be sent, and reads what the start needs (content, organization time zone, its
   * mailboxes in order, its lists) in the same round trip.
   */
  private async lockForStart(tx: Tx, organizationId: string, id: string) {
    if (!isUuid(id)) throw notFound('Campaign', id);
    const [row] = await tx.$queryRaw<StartRow[]>`
      SELECT c.status::text AS status, c.name, c.subject, c."htmlBody", c."textBody", c."fromName", c."replyTo",
             c."trackOpens", c."trackClicks", c."dailySendLimit", o.timezone,
             ${sendersOf(Prisma.sql`c.id`)} AS senders,
             ARRAY(SELECT "listId"::text FROM "CampaignList" WHERE "campaignId" = c.id) AS "listIds"
      FROM "Campaign" c JOIN "Organization" o ON o.id = c."organizationId"
      WHERE c.id = ${id}::uuid AND c."organizationId" = ${organizationId}::uuid
      FOR UPDATE OF c`;
    if (!row) throw notFound('Campaign', id);
    if (!canDo('send', row.status)) {
      throw conflict(`Cannot send a campaign that is ${row.status}`, { status: row.status, action: 'send' });
    }
    return row;
  }

  /** The campaign's mailboxes, checked as a start checks them. */
  private async mailboxesOf(tx: Tx, id: string) {
    const [row] = await tx.$queryRaw<{ senders: StartRow['senders'] }[]>`
      SELECT ${sendersOf(Prisma.sql`${id}::uuid`)} AS senders`;
    return usableMailboxes(row.senders);
  }
}

/** The campaign's mailboxes in their order, as JSON: [{ email, status }]. */
const sendersOf = (campaignId: Prisma.Sql) => Prisma.sql`
  COALESCE((SELECT json_agg(json_build_object('email', s.email, 'status', s.status) ORDER BY l.position)
            FROM "CampaignSenderAccount" l JOIN "SenderAccount" s ON s.id = l."senderAccountId"
            WHERE l."campaignId" = ${campaignId}), '[]'::json)`;

/** The campaign's content (as delivery stores it) and what its start needs besides. */
interface StartRow extends Omit<ContentSpec, 'organizationId' | 'variables'> {
  status: CampaignStatus;
  name: string;
  dailySendLimit: number | null;
  timezone: string;
  senders: { email: string; status: string }[];
  listIds: string[];
}

/** The campaign's mailboxes; every one must exist and be ACTIVE, else the start is refused. */
function usableMailboxes(senders: StartRow['senders']) {
  if (!senders.length) throw new StartRefused('The campaign has no sender account');
  const broken = senders.find((s) => s.status !== 'ACTIVE');
  if (broken) {
    throw new StartRefused(
      `Sender account ${broken.email} is ${broken.status}: reconnect it or remove it from the campaign`,
    );
  }
  return senders.map((s) => s.email);
}
