import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../../common/clock/clock.js';
import { isUuid } from '../../common/errors/domain-error.js';
import type { DeliveryEvent, DeliverySourceHandler } from '../../delivery/delivery.contract.js';
import { DeliverySources } from '../../delivery/delivery-sources.js';
import type { EnrollmentStopReason } from '../../generated/prisma/enums.js';
import { Prisma } from '../../generated/prisma/client.js';
import type { Tx } from '../../prisma/prisma.service.js';
import { companyDomain, stopReasonFor } from '../core/stop-rules.js';
import { SEQUENCE_DELIVERY, type SequenceDelivery } from '../delivery/sequence-delivery.port.js';
import { addTimeline, type TimelineEntry } from '../enrollment-timeline.js';
import { rulesOf } from '../sequence-steps.js';
import { stopEnrollments } from '../stop-enrollments.js';
import { applyEvent, type ExecutionState } from './apply-event.js';
import { EnrollmentStepper, type LockedEnrollment } from './enrollment-stepper.js';
import { LOCKED_ENROLLMENT_COLUMNS } from './sequence-engine.js';
import { StatDeltas } from './step-stats.js';
import { SequenceProgressService } from '../sequence-progress.service.js';

/**
 * Sequences' reaction to delivery events (sourceType SEQUENCE, sourceRef = step execution id), run
 * by delivery inside the transaction that records the outcome. It records the facts on the
 * execution and the enrollment, stops enrollments per the stop rules (and cancels their messages
 * not yet sent), and moves the others on with the same step engine the claims use: a sent email
 * starts the next wait, an open or click takes a CONDITION's yes branch the moment it arrives.
 */
@Injectable()
export class SequenceDeliveryHandler implements DeliverySourceHandler, OnModuleInit {
  readonly sourceType = 'SEQUENCE' as const;
  private readonly logger = new Logger(SequenceDeliveryHandler.name);

  constructor(
    private readonly clock: Clock,
    private readonly stepper: EnrollmentStepper,
    @Inject(SEQUENCE_DELIVERY) private readonly delivery: SequenceDelivery,
    private readonly sources: DeliverySources,
    private readonly progress: SequenceProgressService,
  ) {}

  onModuleInit() {
    this.sources.register(this);
  }

  /** After delivery's transaction committed: the sequences' progress changed. */
  async afterCommit(_events: DeliveryEvent[], sequenceIds: string[]) {
    this.progress.touch(sequenceIds);
  }

  async onEvents(tx: Tx, events: DeliveryEvent[]): Promise<void> {
    const mine = events
      .filter((e) => e.sourceType === 'SEQUENCE' && isUuid(e.sourceRef))
      .sort((a, b) => a.at.getTime() - b.at.getTime());
    if (!mine.length) return;
    const now = this.clock.now();
    const executions = new Map<string, ExecutionState>(
      (
        await tx.stepExecution.findMany({
          where: { id: { in: [...new Set(mine.map((e) => e.sourceRef))] } },
          include: { step: { select: { threadMode: true } }, versionRef: { select: { version: true } } },
        })
      ).map((x) => [x.id, { ...x, changed: false }]),
    );
    const enrollments = await this.lock(tx, [
      ...new Set([...executions.values()].map((x) => x.enrollmentId)),
    ]);
    const sequences = new Map(
      (
        await tx.sequence.findMany({
          where: { id: { in: [...new Set([...enrollments.values()].map((e) => e.sequenceId))] } },
        })
      ).map((s) => [s.id, s]),
    );
    const timeline: TimelineEntry[] = [];
    const stats = new StatDeltas();
    const stops = new Map<string, { sequenceId: string; reason: EnrollmentStopReason }>();
    const domains = new Map<string, Set<string>>();
    const facts = new Map<
      string,
      { repliedAt?: Date; bouncedAt?: Date; unsubscribedAt?: Date; thread?: [string, string | null] }
    >();

    for (const event of mine) {
      const x = executions.get(event.sourceRef);
      const e = x && enrollments.get(x.enrollmentId);
      if (!x || !e) {
        this.logger.warn(`${event.type} event for unknown step execution ${event.sourceRef}`);
        continue;
      }
      const rules = rulesOf(sequences.get(e.sequenceId)!);
      const r = applyEvent(x, e, event);
      if (r.timeline)
        timeline.push({
          organizationId: e.organizationId,
          enrollmentId: e.id,
          version: x.versionRef.version,
          stepKey: x.stepKey,
          ...r.timeline,
        });
      for (const column of r.stats) stats.add(x.stepId, column);
      const f = facts.get(e.id) ?? {};
      if (r.thread) {
        f.thread = r.thread;
        [e.threadMessageId, e.providerThreadId] = r.thread;
      }
      if (event.type === 'replied' && !event.automatic) f.repliedAt ??= event.at;
      if (event.type === 'bounced' && r.signal) f.bouncedAt ??= event.at;
      if (event.type === 'unsubscribed') f.unsubscribedAt ??= event.at;
      facts.set(e.id, f);
      const reason = r.signal && stopReasonFor(r.signal, rules);
      if (reason && !stops.has(e.id)) stops.set(e.id, { sequenceId: e.sequenceId, reason });
      if (reason === 'REPLIED' && event.type === 'replied' && !event.automatic && rules.onDomainReply) {
        const domain = companyDomain(e.contactEmail);
        if (domain) domains.set(e.sequenceId, (domains.get(e.sequenceId) ?? new Set()).add(domain));
      }
    }

    await this.writeExecutions(
      tx,
      [...executions.values()].filter((x) => x.changed),
    );
    await this.writeFacts(tx, facts);
    await addTimeline(tx, timeline);
    await stats.write(tx);
    const stopped = new Set<string>();
    const byReason = new Map<string, { sequenceId: string; reason: EnrollmentStopReason; ids: string[] }>();
    for (const [id, { sequenceId, reason }] of stops) {
      const key = `${sequenceId}|${reason}`;
      if (!byReason.has(key)) byReason.set(key, { sequenceId, reason, ids: [] });
      byReason.get(key)!.ids.push(id);
    }
    for (const g of byReason.values())
      for (const id of await stopEnrollments(tx, this.delivery, g.sequenceId, g.ids, g.reason, now))
        stopped.add(id);
    for (const [sequenceId, set] of domains)
      for (const id of await this.stopDomains(tx, sequenceId, [...set], now)) stopped.add(id);
    const stillActive = [...enrollments.values()].filter(
      (e) => e.status === 'ACTIVE' && !stops.has(e.id) && !stopped.has(e.id),
    );
    await this.stepper.step(tx, stillActive, now);
  }

  /** Locks the enrollments (in id order, as every batch does) with their contact. */
  private async lock(tx: Tx, ids: string[]) {
    if (!ids.length) return new Map<string, LockedEnrollment>();
    const rows = await tx.$queryRaw<LockedEnrollment[]>`
      SELECT ${LOCKED_ENROLLMENT_COLUMNS}
      FROM "SequenceEnrollment" e JOIN "Contact" c ON c.id = e."contactId"
      WHERE e.id = ANY(${ids}::uuid[]) ORDER BY e.id FOR UPDATE OF e`;
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** "Stop when anyone at the company replies": every other live enrollment of the sequence at these domains. */
  private async stopDomains(tx: Tx, sequenceId: string, domains: string[], now: Date) {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT e.id::text FROM "SequenceEnrollment" e JOIN "Contact" c ON c.id = e."contactId"
      WHERE e."sequenceId" = ${sequenceId}::uuid AND e.status IN ('ACTIVE', 'PAUSED')
        AND lower(split_part(c.email, '@', 2)) = ANY(${domains}::text[])
      ORDER BY e.id FOR UPDATE OF e`;
    return stopEnrollments(
      tx,
      this.delivery,
      sequenceId,
      rows.map((r) => r.id),
      'DOMAIN_REPLIED',
      now,
    );
  }

  private async writeExecutions(tx: Tx, changed: ExecutionState[]) {
    if (!changed.length) return;
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    const col = <K extends keyof ExecutionState>(k: K) => changed.map((x) => x[k]);
    const time = (
      k: 'sentAt' | 'openedAt' | 'machineOpenedAt' | 'clickedAt' | 'repliedAt' | 'bouncedAt' | 'failedAt',
    ) => changed.map((x) => iso(x[k]));
    await tx.$executeRaw`
      UPDATE "StepExecution" x SET status = u.status::"StepExecutionStatus",
        "sentAt" = (u.sent AT TIME ZONE 'UTC'), "openedAt" = (u.opened AT TIME ZONE 'UTC'),
        "machineOpenedAt" = (u.machine AT TIME ZONE 'UTC'), "clickedAt" = (u.clicked AT TIME ZONE 'UTC'),
        "repliedAt" = (u.replied AT TIME ZONE 'UTC'), "bouncedAt" = (u.bounced AT TIME ZONE 'UTC'),
        "failedAt" = (u.failed AT TIME ZONE 'UTC'), "failureReason" = u.reason
      FROM unnest(${col('id')}::uuid[], ${col('status')}::text[], ${time('sentAt')}::timestamptz[],
                  ${time('openedAt')}::timestamptz[], ${time('machineOpenedAt')}::timestamptz[],
                  ${time('clickedAt')}::timestamptz[], ${time('repliedAt')}::timestamptz[],
                  ${time('bouncedAt')}::timestamptz[], ${time('failedAt')}::timestamptz[], ${col('failureReason')}::text[])
        AS u(id, status, sent, opened, machine, clicked, replied, bounced, failed, reason)
      WHERE x.id = u.id`;
  }

  private async writeFacts(
    tx: Tx,
    facts: Map<
      string,
      { repliedAt?: Date; bouncedAt?: Date; unsubscribedAt?: Date; thread?: [string, string | null] }
    >,
  ) {
    for (const [id, f] of facts) {
      const data: Prisma.SequenceEnrollmentUpdateManyMutationInput = {};
      if (f.thread) Object.assign(data, { threadMessageId: f.thread[0], providerThreadId: f.thread[1] });
      if (!Object.keys(data).length && !f.repliedAt && !f.bouncedAt && !f.unsubscribedAt) continue;
      if (Object.keys(data).length) await tx.sequenceEnrollment.updateMany({ where: { id }, data });
      // First occurrences only: a later reply does not move the recorded one.
      if (f.repliedAt)
        await tx.sequenceEnrollment.updateMany({
          where: { id, repliedAt: null },
          data: { repliedAt: f.repliedAt },
        });
      if (f.bouncedAt)
        await tx.sequenceEnrollment.updateMany({
          where: { id, bouncedAt: null },
          data: { bouncedAt: f.bouncedAt },
        });
      if (f.unsubscribedAt)
        await tx.sequenceEnrollment.updateMany({
          where: { id, unsubscribedAt: null },
          data: { unsubscribedAt: f.unsubscribedAt },
        });
    }
  }
}
