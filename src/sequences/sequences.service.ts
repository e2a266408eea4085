import { Inject, Injectable } from '@nestjs/common';
import { badInput, isUuid } from '../common/errors/domain-error.js';
import { Clock } from '../common/clock/clock.js';
import { recordEvent, type Actor } from '../common/events/event-log.js';
import { paginate } from '../common/pagination/connection.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { SequenceStatus } from '../generated/prisma/enums.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { validateSteps } from './core/graph-validation.js';
import type { StepSpec } from './core/graph.js';
import { SEQUENCE_DELIVERY, type SequenceDelivery } from './delivery/sequence-delivery.port.js';
import type { CreateSequenceInput, UpdateSequenceInput } from './dto/sequence.input.js';
import { canDoSequence, type SequenceAction } from './sequence-status.js';
import { stepView } from './sequence-steps.js';
import { copyVersion, publishVersion, rewriteDraft, writeVersion } from './sequence-versions.js';
import { illegalTransition, notFoundIn, sequenceNotFound } from './sequences.errors.js';

export const WITH_VERSIONS = {
  senderAccounts: { orderBy: { position: 'asc' }, select: { senderAccountId: true } },
  versions: { orderBy: { version: 'asc' }, include: { steps: { orderBy: { position: 'asc' } } } },
} satisfies Prisma.SequenceInclude;

type SequenceRow = Prisma.SequenceGetPayload<{ include: typeof WITH_VERSIONS }>;

/** The GraphQL shape of a sequence row. */
export function toSequenceModel(s: SequenceRow) {
  const versions = s.versions.map((v) => ({ ...v, steps: v.steps.map(stepView) }));
  return {
    ...s,
    senderAccountIds: s.senderAccounts.map((a) => a.senderAccountId),
    versions,
    steps: versions.at(-1)?.steps ?? [],
  };
}

/**
 * A sequence's definition: create, read, list and update. Steps are validated whole when saved
 * (errors name the step field, e.g. `steps.2.waitAmount`). Updating the steps or tracking of an
 * ACTIVE or PAUSED sequence publishes a new version that new enrollments enter; the other settings
 * (name, mailboxes, schedule, stop rules) apply at once to every enrollment.
 */
@Injectable()
export class SequencesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: Clock,
    @Inject(SEQUENCE_DELIVERY) private readonly delivery: SequenceDelivery,
  ) {}

  /** Stores a DRAFT sequence with its draft version 1. */
  async create(organizationId: string, actor: Actor, input: CreateSequenceInput) {
    this.validate(input.steps, input);
    const id = await this.prisma.transaction(async (tx) => {
      await this.assertMailboxes(tx, organizationId, input.senderAccountIds);
      const org = await tx.organization.findUniqueOrThrow({
        where: { id: organizationId },
        select: { timezone: true },
      });
      const { steps, senderAccountIds, ...settings } = input;
      const sequence = await tx.sequence.create({
        data: {
          ...settings,
          organizationId,
          name: input.name.trim(),
          timezone: input.timezone ?? org.timezone,
          createdById: actor.type === 'USER' ? (actor.id ?? null) : null,
          senderAccounts: {
            create: senderAccountIds.map((senderAccountId, position) => ({ senderAccountId, position })),
          },
        },
      });
      await writeVersion(tx, sequence.id, 1, steps, sequence);
      await recordEvent(tx, organizationId, 'sequence.created', actor, { sequenceId: sequence.id });
      return sequence.id;
    });
    return this.get(organizationId, id);
  }

  /** Changes a DRAFT, ACTIVE or PAUSED sequence; an ARCHIVED one is CONFLICT and nothing changes. */
  async update(organizationId: string, actor: Actor, id: string, input: UpdateSequenceInput) {
    await this.prisma.transaction(async (tx) => {
      const current = await this.lockFor(tx, organizationId, id, 'update');
      this.validate(input.steps, { ...current, ...stripNull(input) });
      if (input.senderAccountIds) {
        await this.assertMailboxes(tx, organizationId, input.senderAccountIds);
        await tx.sequenceSenderAccount.deleteMany({ where: { sequenceId: id } });
        await tx.sequenceSenderAccount.createMany({
          data: input.senderAccountIds.map((senderAccountId, position) => ({
            sequenceId: id,
            senderAccountId,
            position,
          })),
        });
      }
      const { steps, senderAccountIds: _ids, ...settings } = stripNull(input);
      const updated = await tx.sequence.update({
        where: { id },
        data: { ...settings, ...(settings.name ? { name: settings.name.trim() } : {}) },
      });
      const trackingChanged =
        updated.trackOpens !== current.trackOpens || updated.trackClicks !== current.trackClicks;
      if (steps || trackingChanged) await this.reviseSteps(tx, updated, steps);
      await recordEvent(tx, organizationId, 'sequence.updated', actor, { sequenceId: id });
    });
    return this.get(organizationId, id);
  }

  private async reviseSteps(
    tx: Tx,
    sequence: Prisma.SequenceGetPayload<object>,
    steps: StepSpec[] | undefined,
  ) {
    const latest = await tx.sequenceVersion.findFirstOrThrow({
      where: { sequenceId: sequence.id },
      orderBy: { version: 'desc' },
    });
    if (sequence.status === 'DRAFT') return rewriteDraft(tx, latest.id, sequence.id, steps, sequence);
    const version = latest.version + 1;
    const versionId = steps
      ? await writeVersion(tx, sequence.id, version, steps, sequence)
      : await copyVersion(tx, sequence.id, latest.id, version, sequence);
    await publishVersion(tx, this.delivery, sequence, versionId, this.clock.now());
    await tx.sequence.update({ where: { id: sequence.id }, data: { currentVersion: version } });
  }

  async get(organizationId: string, id: string) {
    return toSequenceModel(await this.row(organizationId, id));
  }

  /** The stored sequence with its versions and their steps; NOT_FOUND outside the organization. */
  async row(organizationId: string, id: string) {
    if (!isUuid(id)) throw sequenceNotFound(id);
    const s = await this.prisma.db.sequence.findFirst({
      where: { id, organizationId },
      include: WITH_VERSIONS,
    });
    if (!s) throw sequenceNotFound(id);
    return s;
  }

  /** The organization's sequences, newest first. */
  list(organizationId: string, args: { first?: number; after?: string }, status?: SequenceStatus) {
    const where: Prisma.SequenceWhereInput = { organizationId, ...(status ? { status } : {}) };
    return paginate(
      args,
      async (q) =>
        (
          await this.prisma.db.sequence.findMany({
            where: { AND: [where, q.where] },
            include: WITH_VERSIONS,
            orderBy: q.orderBy,
            take: q.take,
          })
        ).map(toSequenceModel),
      () => this.prisma.db.sequence.count({ where }),
    );
  }

  /** Locks the sequence row for the transaction; NOT_FOUND outside the organization, CONFLICT when `action` is not allowed. */
  async lockFor(tx: Tx, organizationId: string, id: string, action: SequenceAction) {
    if (!isUuid(id)) throw sequenceNotFound(id);
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "Sequence" WHERE id = ${id}::uuid AND "organizationId" = ${organizationId}::uuid FOR UPDATE`;
    if (!rows.length) throw sequenceNotFound(id);
    const sequence = await tx.sequence.findUniqueOrThrow({ where: { id } });
    if (!canDoSequence(action, sequence.status)) throw illegalTransition(action, 'sequence', sequence.status);
    return sequence;
  }

  private validate(
    steps: StepSpec[] | undefined,
    hours: { businessStartMinute?: number | null; businessEndMinute?: number | null },
  ) {
    if (steps) {
      const [problem] = validateSteps(steps);
      if (problem) throw badInput(problem.field, problem.message);
    }
    const { businessStartMinute: start, businessEndMinute: end } = hours;
    if (start != null && end != null && start >= end)
      throw badInput('businessEndMinute', 'businessEndMinute must be after businessStartMinute');
  }

  /** Mailboxes must belong to the organization (NOT_FOUND otherwise, as if they did not exist). */
  private async assertMailboxes(tx: Tx, organizationId: string, ids: string[]) {
    const found = await tx.senderAccount.findMany({
      where: { organizationId, id: { in: ids } },
      select: { id: true },
    });
    const missing = ids.find((id) => !found.some((f) => f.id === id));
    if (missing) throw notFoundIn('senderAccountIds', 'Sender account', missing);
  }
}

/** GraphQL null for a setting means "no change", like an omitted one. */
function stripNull<T extends object>(input: T) {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], null>;
  };
}
