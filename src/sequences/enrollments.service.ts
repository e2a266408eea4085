import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock/clock.js';
import { isUuid } from '../common/errors/domain-error.js';
import { paginate } from '../common/pagination/connection.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { EnrollmentStatus } from '../generated/prisma/enums.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { SEQUENCE_DELIVERY, type SequenceDelivery } from './delivery/sequence-delivery.port.js';
import { addTimeline } from './enrollment-timeline.js';
import { canDoEnrollment, type EnrollmentAction } from './sequence-status.js';
import { enrollmentNotFound, illegalTransition } from './sequences.errors.js';
import { stopEnrollments } from './stop-enrollments.js';
import { SequenceWakeups } from './engine/sequence-wakeups.js';

const WITH_CONTACT = { contact: { select: { email: true } } } satisfies Prisma.SequenceEnrollmentInclude;
type EnrollmentRow = Prisma.SequenceEnrollmentGetPayload<{ include: typeof WITH_CONTACT }>;
const toModel = ({ contact, ...e }: EnrollmentRow) => ({ ...e, contactEmail: contact.email });

export interface EnrollmentFilter {
  sequenceId?: string;
  contactId?: string;
  status?: EnrollmentStatus;
}

/** Enrollments: pages, one with its timeline, and the controls on one (stop, pause, resume). */
@Injectable()
export class EnrollmentsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: Clock,
    @Inject(SEQUENCE_DELIVERY) private readonly delivery: SequenceDelivery,
    private readonly wakeups: SequenceWakeups,
  ) {}

  /** The organization's enrollments, newest first. */
  list(organizationId: string, filter: EnrollmentFilter, args: { first?: number; after?: string }) {
    const where: Prisma.SequenceEnrollmentWhereInput = { organizationId, ...filter };
    return paginate(
      args,
      async (q) =>
        (
          await this.prisma.db.sequenceEnrollment.findMany({
            where: { AND: [where, q.where] },
            include: WITH_CONTACT,
            orderBy: q.orderBy,
            take: q.take,
          })
        ).map(toModel),
      () => this.prisma.db.sequenceEnrollment.count({ where }),
    );
  }

  async get(organizationId: string, id: string) {
    if (!isUuid(id)) throw enrollmentNotFound(id);
    const e = await this.prisma.db.sequenceEnrollment.findFirst({
      where: { id, organizationId },
      include: WITH_CONTACT,
    });
    if (!e) throw enrollmentNotFound(id);
    return toModel(e);
  }

  /** What happened to the enrollment, oldest first (the caller has checked it belongs to the organization). */
  timeline(enrollmentId: string) {
    return this.prisma.db.enrollmentEvent.findMany({
      where: { enrollmentId },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
      select: { type: true, at: true, version: true, stepKey: true, data: true },
    });
  }

  /** Stops it for good (MANUAL); its email not yet sent is cancelled. */
  async stop(organizationId: string, id: string) {
    await this.prisma.transaction(async (tx) => {
      const e = await this.lockFor(tx, organizationId, id, 'stop');
      await stopEnrollments(tx, this.delivery, e.sequenceId, [id], 'MANUAL', this.clock.now());
    });
    return this.get(organizationId, id);
  }

  /** ACTIVE → PAUSED: no further step is handed over until it is resumed (an email already handed over still goes). */
  async pause(organizationId: string, id: string) {
    await this.prisma.transaction(async (tx) => {
      const e = await this.lockFor(tx, organizationId, id, 'pause');
      if (e.status === 'PAUSED' && !e.pausedWithSequence)
        throw illegalTransition('pause', 'enrollment', e.status);
      const now = this.clock.now();
      await tx.sequenceEnrollment.update({
        where: { id },
        data: { status: 'PAUSED', pausedWithSequence: false, pausedAt: e.pausedAt ?? now },
      });
      await addTimeline(tx, [
        {
          organizationId,
          enrollmentId: id,
          type: 'PAUSED',
          at: now,
          version: e.version,
          stepKey: e.currentStepKey,
        },
      ]);
    });
    return this.get(organizationId, id);
  }

  /** PAUSED → ACTIVE; it stays held while its sequence is paused, and goes on when that resumes. */
  async resume(organizationId: string, id: string) {
    await this.prisma.transaction(async (tx) => {
      const e = await this.lockFor(tx, organizationId, id, 'resume');
      const sequence = await tx.sequence.findUniqueOrThrow({
        where: { id: e.sequenceId },
        select: { status: true },
      });
      const now = this.clock.now();
      const held = sequence.status === 'PAUSED';
      await tx.sequenceEnrollment.update({
        where: { id },
        data: held
          ? { pausedWithSequence: true }
          : { status: 'ACTIVE', pausedWithSequence: false, pausedAt: null, dueAt: e.dueAt ?? now },
      });
      if (!held) this.wakeups.at([e.dueAt ?? now]);
      await addTimeline(tx, [
        {
          organizationId,
          enrollmentId: id,
          type: 'RESUMED',
          at: now,
          version: e.version,
          stepKey: e.currentStepKey,
          data: { held },
        },
      ]);
    });
    return this.get(organizationId, id);
  }

  private async lockFor(tx: Tx, organizationId: string, id: string, action: EnrollmentAction) {
    if (!isUuid(id)) throw enrollmentNotFound(id);
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "SequenceEnrollment" WHERE id = ${id}::uuid AND "organizationId" = ${organizationId}::uuid FOR UPDATE`;
    if (!rows.length) throw enrollmentNotFound(id);
    const e = await tx.sequenceEnrollment.findUniqueOrThrow({ where: { id } });
    if (!canDoEnrollment(action, e.status)) throw illegalTransition(action, 'enrollment', e.status);
    return e;
  }
}
