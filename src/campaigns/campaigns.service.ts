import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { transactionContext } from '../prisma/transaction-context.js';
import { Clock } from '../common/clock/clock.js';
import { DeliveryService } from '../delivery/delivery.service.js';
import {
  badInput,
  conflict,
  DomainError,
  ErrorCode,
  isUuid,
  notFound,
  notFoundField,
} from '../common/errors/domain-error.js';
import { recordEvent, type Actor } from '../common/events/event-log.js';
import { TemplateError, validateTemplate } from '../common/templates/liquid-templates.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { CampaignStatus } from '../generated/prisma/enums.js';
import { paginate } from '../common/pagination/connection.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { canDo } from './campaign-status.js';
import {
  MAX_ATTACHMENT_BYTES,
  type CreateCampaignInput,
  type UpdateCampaignInput,
} from './dto/campaign.input.js';

/** Emitted after commit when a campaign gets (or changes) its start time. */
export const CAMPAIGN_SCHEDULED = 'campaign.scheduled';
export interface CampaignScheduledEvent {
  campaignId: string;
  scheduledAt: Date;
}

const WITH_LINKS = {
  senderAccounts: { orderBy: { position: 'asc' }, select: { senderAccountId: true } },
  lists: { select: { listId: true } },
  attachments: {
    orderBy: [{ position: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true, filename: true, contentType: true, size: true },
  },
} satisfies Prisma.CampaignInclude;

type CampaignRow = Prisma.CampaignGetPayload<{ include: typeof WITH_LINKS }>;

/** The GraphQL shape of a campaign row (its delivery state is resolved separately, when asked for). */
export function toCampaignModel(c: CampaignRow) {
  return {
    ...c,
    senderAccountIds: c.senderAccounts.map((s) => s.senderAccountId),
    listIds: c.lists.map((l) => l.listId),
  };
}

/** Campaign content and settings: create, update (DRAFT/SCHEDULED only), read, list. */
@Injectable()
export class CampaignsService {
  private readonly logger = new Logger(CampaignsService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly events: EventEmitter2,
    private readonly delivery: DeliveryService,
    private readonly clock: Clock,
  ) {}

  /** Stores a DRAFT (SCHEDULED when scheduledAt is given) after validating templates, mailboxes and lists. */
  async create(organizationId: string, actor: Actor, input: CreateCampaignInput) {
    this.validateContent(input);
    if (input.scheduledAt) this.assertFuture(input.scheduledAt);
    return this.prisma.transaction(async (tx) => {
      await this.assertOwned(tx, organizationId, input.senderAccountIds, input.listIds);
      const campaign = await tx.campaign.create({
        data: {
          organizationId,
          name: input.name.trim(),
          subject: input.subject,
          htmlBody: input.htmlBody,
          textBody: input.textBody ?? null,
          fromName: input.fromName ?? null,
          replyTo: input.replyTo ?? null,
          trackOpens: input.trackOpens ?? true,
          trackClicks: input.trackClicks ?? false,
          dailySendLimit: input.dailySendLimit ?? null,
          scheduledAt: input.scheduledAt ?? null,
          status: input.scheduledAt ? 'SCHEDULED' : 'DRAFT',
          createdById: actor.type === 'USER' ? (actor.id ?? null) : null,
          senderAccounts: {
            create: input.senderAccountIds.map((senderAccountId, position) => ({
              senderAccountId,
              position,
            })),
          },
          lists: { create: input.listIds.map((listId) => ({ listId })) },
          attachments: { create: this.attachmentRows(input) },
        },
        include: WITH_LINKS,
      });
      await recordEvent(tx, organizationId, 'campaign.created', actor, { campaignId: campaign.id });
      if (campaign.scheduledAt) this.announceSchedule(campaign.id, campaign.scheduledAt);
      return toCampaignModel(campaign);
    });
  }

  /** Changes a DRAFT or SCHEDULED campaign; anything else is CONFLICT and nothing changes. */
  async update(organizationId: string, actor: Actor, id: string, input: UpdateCampaignInput) {
    this.validateContent(input);
    if (input.scheduledAt) this.assertFuture(input.scheduledAt);
    return this.prisma.transaction(async (tx) => {
      const current = await this.lock(tx, organizationId, id);
      if (!canDo('update', current.status)) {
        throw conflict(`A ${current.status} campaign cannot be edited`, { status: current.status });
      }
      await this.assertOwned(tx, organizationId, input.senderAccountIds ?? [], input.listIds ?? []);
      if (input.senderAccountIds) {
        await tx.campaignSenderAccount.deleteMany({ where: { campaignId: id } });
        await tx.campaignSenderAccount.createMany({
          data: input.senderAccountIds.map((senderAccountId, position) => ({
            campaignId: id,
            senderAccountId,
            position,
          })),
        });
      }
      if (input.listIds) {
        await tx.campaignList.deleteMany({ where: { campaignId: id } });
        await tx.campaignList.createMany({
          data: input.listIds.map((listId) => ({ campaignId: id, listId })),
        });
      }
      if (input.attachments) {
        await tx.campaignAttachment.deleteMany({ where: { campaignId: id } });
        await tx.campaignAttachment.createMany({
          data: this.attachmentRows(input).map((a) => ({ ...a, campaignId: id })),
        });
      }
      const status: CampaignStatus | undefined =
        input.scheduledAt === undefined ? undefined : input.scheduledAt ? 'SCHEDULED' : 'DRAFT';
      const updated = await tx.campaign.update({
        where: { id },
        data: {
          // null for a required field means "no change", like an omitted one.
          name: input.name?.trim() ?? undefined,
          subject: input.subject ?? undefined,
          htmlBody: input.htmlBody ?? undefined,
          textBody: input.textBody,
          fromName: input.fromName,
          replyTo: input.replyTo,
          trackOpens: input.trackOpens ?? undefined,
          trackClicks: input.trackClicks ?? undefined,
          dailySendLimit: input.dailySendLimit,
          scheduledAt: input.scheduledAt,
          status,
        },
        include: WITH_LINKS,
      });
      await recordEvent(tx, organizationId, 'campaign.updated', actor, { campaignId: id });
      if (updated.status === 'SCHEDULED' && input.scheduledAt) this.announceSchedule(id, input.scheduledAt);
      return toCampaignModel(updated);
    });
  }

  async get(organizationId: string, id: string) {
    if (!isUuid(id)) throw notFound('Campaign', id);
    const c = await this.prisma.db.campaign.findFirst({ where: { id, organizationId }, include: WITH_LINKS });
    if (!c) throw notFound('Campaign', id);
    return toCampaignModel(c);
  }

  /** The org's campaigns, newest first, keyset-paginated on (createdAt, id). */
  list(organizationId: string, args: { first?: number; after?: string | null }, status?: CampaignStatus) {
    const where: Prisma.CampaignWhereInput = { organizationId, ...(status ? { status } : {}) };
    return paginate(
      args,
      async (q) =>
        (
          await this.prisma.db.campaign.findMany({
            where: { AND: [where, q.where] },
            include: WITH_LINKS,
            orderBy: q.orderBy,
            take: q.take,
          })
        ).map(toCampaignModel),
      () => this.prisma.db.campaign.count({ where }),
    );
  }

  /** The campaign's daily batches, as its delivery group keeps them. */
  async deliveryState(campaignId: string) {
    const group = await this.delivery.group(campaignId);
    const history = (group?.batchHistory ?? []) as { batch: number; startedAt: string; planned: number }[];
    return {
      batchHistory: history.map((b) => ({ ...b, startedAt: new Date(b.startedAt) })),
      nextBatchAt: group?.nextBatchAt ?? null,
    };
  }

  /** Why a SENDING campaign's recipients wait: a mailbox that cannot send, or is paused by its provider. */
  async waitingFor(campaignId: string, status: CampaignStatus): Promise<string | null> {
    if (status !== 'SENDING') return null;
    const links = await this.prisma.db.campaignSenderAccount.findMany({
      where: { campaignId },
      orderBy: { position: 'asc' },
      select: {
        senderAccount: { select: { email: true, status: true, pausedUntil: true, lastError: true } },
      },
    });
    const now = this.clock.now();
    const reasons = links.flatMap(({ senderAccount: s }) => {
      if (s.status !== 'ACTIVE') {
        return [
          `Sender account ${s.email} is ${s.status}${s.lastError ? ` (${s.lastError})` : ''}: reconnect it to send its recipients`,
        ];
      }
      if (s.pausedUntil && s.pausedUntil > now) {
        return [`Sender account ${s.email} is paused by its provider until ${s.pausedUntil.toISOString()}`];
      }
      return [];
    });
    return reasons.length ? reasons.join('; ') : null;
  }

  /** Tells delivery (after commit) to start the campaign at `scheduledAt` with a delayed job. */
  announceSchedule(campaignId: string, scheduledAt: Date) {
    transactionContext.afterCommit(() => {
      this.events
        .emitAsync(CAMPAIGN_SCHEDULED, { campaignId, scheduledAt } satisfies CampaignScheduledEvent)
        .catch((e: unknown) => this.logger.error(`start job for ${campaignId} not queued: ${String(e)}`));
    });
  }

  /** Locks the campaign row for the rest of the transaction; NOT_FOUND outside the organization. */
  async lock(tx: Tx, organizationId: string, id: string) {
    if (!isUuid(id)) throw notFound('Campaign', id);
    const rows = await tx.$queryRaw<{ id: string; status: CampaignStatus }[]>`
      SELECT id, status FROM "Campaign" WHERE id = ${id}::uuid AND "organizationId" = ${organizationId}::uuid FOR UPDATE`;
    if (!rows.length) throw notFound('Campaign', id);
    return rows[0];
  }

  private validateContent(
    input: Partial<Pick<CreateCampaignInput, 'subject' | 'htmlBody' | 'textBody' | 'attachments'>>,
  ) {
    for (const field of ['subject', 'htmlBody', 'textBody'] as const) {
      const source = input[field];
      if (!source) continue;
      try {
        validateTemplate(source);
      } catch (e) {
        if (e instanceof TemplateError) {
          throw new DomainError(ErrorCode.BAD_USER_INPUT, `${field}: ${e.message}`, { field, ...e.detail });
        }
        throw e;
      }
    }
    const total = (input.attachments ?? []).reduce(
      (n, a) => n + Buffer.byteLength(a.contentBase64, 'base64'),
      0,
    );
    if (total > MAX_ATTACHMENT_BYTES) throw badInput('attachments', 'attachments may total at most 10 MB');
  }

  private assertFuture(at: Date) {
    if (at.getTime() <= this.clock.now().getTime())
      throw badInput('scheduledAt', 'scheduledAt must be in the future');
  }

  private attachmentRows(input: Pick<CreateCampaignInput, 'attachments'>) {
    return (input.attachments ?? []).map((a, position) => {
      const content = Buffer.from(a.contentBase64, 'base64');
      return { position, filename: a.filename, contentType: a.contentType, content, size: content.length };
    });
  }

  /** Mailboxes and lists must belong to the organization (NOT_FOUND otherwise, as if they did not exist). */
  private async assertOwned(tx: Tx, organizationId: string, senderAccountIds: string[], listIds: string[]) {
    if (senderAccountIds.length) {
      const found = await tx.senderAccount.findMany({
        where: { organizationId, id: { in: senderAccountIds } },
        select: { id: true },
      });
      const missing = senderAccountIds.filter((id) => !found.some((f) => f.id === id));
      if (missing.length)
        throw notFoundField('senderAccountIds', `Sender account ${missing[0]} was not found`);
    }
    if (listIds.length) {
      const found = await tx.contactList.findMany({
        where: { organizationId, id: { in: listIds } },
        select: { id: true },
      });
      const missing = listIds.filter((id) => !found.some((f) => f.id === id));
      if (missing.length) throw notFoundField('listIds', `Contact list ${missing[0]} was not found`);
    }
  }
}
