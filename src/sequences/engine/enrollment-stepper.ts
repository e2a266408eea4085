import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { MessageSpec } from '../../delivery/delivery.contract.js';
import type { EnrollmentStatus, EnrollmentStopReason } from '../../generated/prisma/enums.js';
import type { Tx } from '../../prisma/prisma.service.js';
import { advance, type EmailFact } from '../core/step-engine.js';
import { SEQUENCE_DELIVERY, type SequenceDelivery } from '../delivery/sequence-delivery.port.js';
import { addTimeline, type TimelineEntry } from '../enrollment-timeline.js';
import { calendarOf } from '../sequence-steps.js';
import { StatDeltas } from './step-stats.js';
import { SequenceWakeups } from './sequence-wakeups.js';
import { SequenceProgressService } from '../sequence-progress.service.js';
import { transactionContext } from '../../prisma/transaction-context.js';
import { VersionGraphs } from './version-graphs.js';

/** An enrollment the caller has locked (FOR UPDATE) in its transaction, with its contact. */
export interface LockedEnrollment {
  id: string;
  organizationId: string;
  sequenceId: string;
  contactId: string;
  contactEmail: string;
  contactTimezone: string | null;
  senderAccountId: string;
  versionId: string;
  version: number;
  status: EnrollmentStatus;
  currentStepKey: string;
  stepEnteredAt: Date;
  threadMessageId: string | null;
  providerThreadId: string | null;
}

interface Outcome {
  id: string;
  stepKey: string;
  enteredAt: Date;
  dueAt: Date | null;
  status: EnrollmentStatus;
  endedAt: Date | null;
  stopReason: EnrollmentStopReason | null;
}

/**
 * Applies the pure step engine (`advance`) to locked enrollments and writes what it decided, set
 * based: positions, due times, timelines, counters, and for EMAIL steps a step execution inserted
 * under its unique key (enrollment, version, step) *before* the message is handed to delivery in
 * the same transaction. An execution that already exists is never handed over again.
 */
@Injectable()
export class EnrollmentStepper {
  private readonly logger = new Logger(EnrollmentStepper.name);

  constructor(
    private readonly versions: VersionGraphs,
    @Inject(SEQUENCE_DELIVERY) private readonly delivery: SequenceDelivery,
    private readonly wakeups: SequenceWakeups,
    private readonly progress: SequenceProgressService,
  ) {}

  /**
   * Acts on the ACTIVE enrollments among `enrollments` at `now`; returns how many it moved or
   * scheduled (`processed`) and how many emails it handed over.
   */
  async step(tx: Tx, enrollments: readonly LockedEnrollment[], now: Date) {
    const active = enrollments.filter((e) => e.status === 'ACTIVE');
    if (!active.length) return { processed: 0, handedOver: 0 };
    const sequences = new Map(
      (
        await tx.sequence.findMany({ where: { id: { in: [...new Set(active.map((e) => e.sequenceId))] } } })
      ).map((s) => [s.id, s]),
    );
    const versions = await this.versions.load(
      tx,
      active.map((e) => e.versionId),
    );
    const facts = await this.facts(
      tx,
      active.map((e) => e.id),
    );
    const outcomes: Outcome[] = [];
    const timeline: TimelineEntry[] = [];
    const stats = new StatDeltas();
    const sends: {
      execution: { id: string; enrollment: LockedEnrollment; stepId: string; stepKey: string };
      message: MessageSpec;
    }[] = [];

    for (const e of active) {
      const sequence = sequences.get(e.sequenceId);
      const version = versions.get(e.versionId);
      if (sequence?.status !== 'ACTIVE' || !version) continue;
      const ctx = { graph: version.graph, calendar: calendarOf(sequence, e.contactTimezone) };
      const r = advance(
        ctx,
        { version: e.version, stepKey: e.currentStepKey, enteredAt: e.stepEnteredAt },
        facts.get(e.id) ?? [],
        now,
      );
      const entry = (
        type: TimelineEntry['type'],
        at: Date,
        stepKey: string | null,
        data?: Record<string, unknown>,
      ) =>
        timeline.push({
          organizationId: e.organizationId,
          enrollmentId: e.id,
          type,
          at,
          version: e.version,
          stepKey,
          data,
        });
      for (const m of r.moves) {
        if (m.branch) {
          entry(`BRANCH_${m.branch}`, m.at, m.from);
          stats.add(version.steps.get(m.from)!.id, m.branch === 'YES' ? 'yes' : 'no');
        }
        entry('STEP_ENTERED', m.at, m.to);
        stats.add(version.steps.get(m.to)!.id, 'entered');
      }
      const outcome: Outcome = {
        id: e.id,
        stepKey: r.position.stepKey,
        enteredAt: r.position.enteredAt,
        dueAt: null,
        status: 'ACTIVE',
        endedAt: null,
        stopReason: null,
      };
      const d = r.decision;
      if (d.kind === 'wait') outcome.dueAt = d.until;
      if (d.kind === 'complete') {
        Object.assign(outcome, { status: 'COMPLETED', endedAt: d.at });
        entry('COMPLETED', d.at, r.position.stepKey);
      }
      if (d.kind === 'stop') {
        Object.assign(outcome, { status: 'STOPPED', endedAt: now, stopReason: d.reason });
        entry('STOPPED', now, r.position.stepKey, { reason: d.reason });
      }
      if (d.kind === 'send') {
        const step = version.steps.get(d.stepKey)!;
        const id = randomUUID();
        const thread =
          d.threadMode === 'SAME_THREAD' && e.threadMessageId
            ? {
                inReplyTo: e.threadMessageId,
                references: [e.threadMessageId],
                providerThreadId: e.providerThreadId,
              }
            : null;
        sends.push({
          execution: { id, enrollment: e, stepId: step.id, stepKey: d.stepKey },
          message: {
            id: randomUUID(),
            sourceRef: id,
            contactId: e.contactId,
            email: e.contactEmail,
            senderAccountId: e.senderAccountId,
            contentId: step.contentId!,
            notBefore: now,
            thread,
          },
        });
      }
      outcomes.push(outcome);
    }

    const handedOver = await this.handOver(tx, sends, now, timeline, stats);
    await this.writeOutcomes(tx, outcomes);
    await addTimeline(tx, timeline);
    await stats.write(tx);
    const touched = new Set(active.map((e) => e.sequenceId));
    transactionContext.afterCommit(() => this.progress.touch(touched));
    return { processed: outcomes.length, handedOver };
  }

  /** Inserts the executions (unique key first), then hands over only the ones this transaction created. */
  private async handOver(
    tx: Tx,
    sends: {
      execution: { id: string; enrollment: LockedEnrollment; stepId: string; stepKey: string };
      message: MessageSpec;
    }[],
    now: Date,
    timeline: TimelineEntry[],
    stats: StatDeltas,
  ) {
    if (!sends.length) return 0;
    const ex = sends.map((s) => s.execution);
    const inserted = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO "StepExecution" (id, "organizationId", "sequenceId", "enrollmentId", "versionId", "stepId", "stepKey",
        "messageId", "handedOverAt")
      SELECT u.id, u.org, u.seq, u.enrollment, u.version, u.step, u.key, u.message,
             (${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')
      FROM unnest(${ex.map((x) => x.id)}::uuid[], ${ex.map((x) => x.enrollment.organizationId)}::uuid[],
                  ${ex.map((x) => x.enrollment.sequenceId)}::uuid[], ${ex.map((x) => x.enrollment.id)}::uuid[],
                  ${ex.map((x) => x.enrollment.versionId)}::uuid[], ${ex.map((x) => x.stepId)}::uuid[],
                  ${ex.map((x) => x.stepKey)}::text[], ${sends.map((s) => s.message.id!)}::uuid[])
        AS u(id, org, seq, enrollment, version, step, key, message)
      ON CONFLICT ("enrollmentId", "versionId", "stepKey") DO NOTHING
      RETURNING id::text`;
    const created = new Set(inserted.map((r) => r.id));
    if (created.size < sends.length)
      this.logger.warn(`${sends.length - created.size} step(s) were already executed; not handed over again`);
    const bySequence = new Map<string, MessageSpec[]>();
    for (const s of sends) {
      if (!created.has(s.execution.id)) continue;
      const list = bySequence.get(s.execution.enrollment.sequenceId) ?? [];
      list.push(s.message);
      bySequence.set(s.execution.enrollment.sequenceId, list);
      const e = s.execution.enrollment;
      timeline.push({
        organizationId: e.organizationId,
        enrollmentId: e.id,
        type: 'EMAIL_HANDED_OVER',
        at: now,
        version: e.version,
        stepKey: s.execution.stepKey,
        data: { executionId: s.execution.id },
      });
      stats.add(s.execution.stepId, 'handedOver');
    }
    // The executions already name their messages (ids picked here): delivery stores them under those ids.
    for (const [sequenceId, messages] of bySequence) await this.delivery.handOver(tx, sequenceId, messages);
    return created.size;
  }

  private async writeOutcomes(tx: Tx, outcomes: Outcome[]) {
    if (!outcomes.length) return;
    this.wakeups.at(outcomes.map((o) => (o.status === 'ACTIVE' ? o.dueAt : null)));
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    await tx.$executeRaw`
      UPDATE "SequenceEnrollment" e SET "currentStepKey" = u.step, "stepEnteredAt" = (u.entered AT TIME ZONE 'UTC'),
        "dueAt" = (u.due AT TIME ZONE 'UTC'), status = u.status::"EnrollmentStatus", "endedAt" = (u.ended AT TIME ZONE 'UTC'),
        "stopReason" = u.reason::"EnrollmentStopReason", "updatedAt" = now()
      FROM unnest(${outcomes.map((o) => o.id)}::uuid[], ${outcomes.map((o) => o.stepKey)}::text[],
                  ${outcomes.map((o) => iso(o.enteredAt))}::timestamptz[], ${outcomes.map((o) => iso(o.dueAt))}::timestamptz[],
                  ${outcomes.map((o) => o.status)}::text[], ${outcomes.map((o) => iso(o.endedAt))}::timestamptz[],
                  ${outcomes.map((o) => o.stopReason)}::text[]) AS u(id, step, entered, due, status, ended, reason)
      WHERE e.id = u.id`;
  }

  /** What the engine knows of every email of these enrollments (any version). */
  private async facts(tx: Tx, enrollmentIds: string[]) {
    const rows = await tx.$queryRaw<(EmailFact & { enrollmentId: string })[]>`
      SELECT x."enrollmentId"::text, x."stepKey", x.status::text, x."sentAt", x."openedAt", x."clickedAt",
             x."repliedAt", v.version
      FROM "StepExecution" x JOIN "SequenceVersion" v ON v.id = x."versionId"
      WHERE x."enrollmentId" = ANY(${enrollmentIds}::uuid[])`;
    const byEnrollment = new Map<string, EmailFact[]>();
    for (const { enrollmentId, ...f } of rows) {
      const list = byEnrollment.get(enrollmentId) ?? [];
      list.push(f);
      byEnrollment.set(enrollmentId, list);
    }
    return byEnrollment;
  }
}
