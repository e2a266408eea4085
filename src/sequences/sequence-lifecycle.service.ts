import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock/clock.js';
import { conflict } from '../common/errors/domain-error.js';
import { recordEvent, type Actor } from '../common/events/event-log.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { SEQUENCE_DELIVERY, type SequenceDelivery } from './delivery/sequence-delivery.port.js';
import { publishVersion } from './sequence-versions.js';
import { SequencesService } from './sequences.service.js';
import { stopEnrollments } from './stop-enrollments.js';
import { SequenceWakeups } from './engine/sequence-wakeups.js';

/**
 * DRAFT → ACTIVE ⇄ PAUSED → ARCHIVED. Each transition locks the sequence row, so it serializes
 * with enrollments, moves and other transitions; an illegal one is CONFLICT and changes nothing.
 */
@Injectable()
export class SequenceLifecycleService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sequences: SequencesService,
    private readonly clock: Clock,
    @Inject(SEQUENCE_DELIVERY) private readonly delivery: SequenceDelivery,
    private readonly wakeups: SequenceWakeups,
  ) {}

  /** Publishes the draft as version 1 (immutable from now on) and opens the sequence to enrollments. */
  async activate(organizationId: string, actor: Actor, id: string) {
    await this.prisma.transaction(async (tx) => {
      const sequence = await this.sequences.lockFor(tx, organizationId, id, 'activate');
      await this.assertUsableMailbox(tx, id);
      const draft = await tx.sequenceVersion.findFirstOrThrow({ where: { sequenceId: id, version: 1 } });
      const now = this.clock.now();
      await this.delivery.openGroup(tx, {
        id,
        organizationId,
        sourceType: 'SEQUENCE',
        timezone: sequence.timezone,
      });
      await publishVersion(tx, this.delivery, sequence, draft.id, now);
      await tx.sequence.update({
        where: { id },
        data: { status: 'ACTIVE', currentVersion: 1, activatedAt: now },
      });
      await recordEvent(tx, organizationId, 'sequence.activated', actor, { sequenceId: id });
    });
    return this.sequences.get(organizationId, id);
  }

  /** ACTIVE → PAUSED: once this returns no step is handed over; its messages not yet sent are held. */
  async pause(organizationId: string, actor: Actor, id: string) {
    await this.prisma.transaction(async (tx) => {
      await this.sequences.lockFor(tx, organizationId, id, 'pause');
      const now = this.clock.now();
      await tx.sequence.update({ where: { id }, data: { status: 'PAUSED', pausedAt: now } });
      await tx.sequenceEnrollment.updateMany({
        where: { sequenceId: id, status: 'ACTIVE' },
        data: { status: 'PAUSED', pausedWithSequence: true, pausedAt: now },
      });
      await this.delivery.pauseGroup(tx, id);
      await recordEvent(tx, organizationId, 'sequence.paused', actor, { sequenceId: id });
    });
    return this.sequences.get(organizationId, id);
  }

  /** PAUSED → ACTIVE: enrollments paused with it go on; those due meanwhile are acted on at once. */
  async resume(organizationId: string, actor: Actor, id: string) {
    await this.prisma.transaction(async (tx) => {
      await this.sequences.lockFor(tx, organizationId, id, 'resume');
      const now = this.clock.now();
      await tx.sequence.update({ where: { id }, data: { status: 'ACTIVE', pausedAt: null } });
      await tx.$executeRaw`
        UPDATE "SequenceEnrollment" SET status = 'ACTIVE', "pausedWithSequence" = false, "pausedAt" = NULL,
          "dueAt" = COALESCE("dueAt", (${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')), "updatedAt" = now()
        WHERE "sequenceId" = ${id}::uuid AND status = 'PAUSED' AND "pausedWithSequence"`;
      await this.delivery.resumeGroup(tx, id);
      this.wakeups.at([now]);
      await recordEvent(tx, organizationId, 'sequence.resumed', actor, { sequenceId: id });
    });
    return this.sequences.get(organizationId, id);
  }

  /** Ends the sequence: live enrollments stop (ARCHIVED) and their messages not yet sent are cancelled. */
  async archive(organizationId: string, actor: Actor, id: string) {
    await this.prisma.transaction(async (tx) => {
      const sequence = await this.sequences.lockFor(tx, organizationId, id, 'archive');
      const now = this.clock.now();
      await tx.sequence.update({
        where: { id },
        data: { status: 'ARCHIVED', archivedAt: now, pausedAt: null },
      });
      if (sequence.status !== 'DRAFT') {
        const live = await tx.sequenceEnrollment.findMany({
          where: { sequenceId: id, status: { in: ['ACTIVE', 'PAUSED'] } },
          select: { id: true },
        });
        await stopEnrollments(
          tx,
          this.delivery,
          id,
          live.map((e) => e.id),
          'ARCHIVED',
          now,
        );
      }
      await recordEvent(tx, organizationId, 'sequence.archived', actor, { sequenceId: id });
    });
    return this.sequences.get(organizationId, id);
  }

  private async assertUsableMailbox(tx: Tx, sequenceId: string) {
    const links = await tx.sequenceSenderAccount.findMany({
      where: { sequenceId },
      include: { senderAccount: { select: { status: true } } },
    });
    if (!links.some((l) => l.senderAccount.status === 'ACTIVE'))
      throw conflict('The sequence has no ACTIVE mailbox: connect one or add another to the sequence');
  }
}
