import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock/clock.js';
import { badInput } from '../common/errors/domain-error.js';
import { recordEvent, type Actor } from '../common/events/event-log.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { reachableFrom, type SequenceGraph } from './core/graph.js';
import type { MoveEnrollmentsInput } from './dto/enrollment.input.js';
import { addTimeline } from './enrollment-timeline.js';
import { graphFromRows } from './sequence-steps.js';
import { SequencesService } from './sequences.service.js';
import { SequenceWakeups } from './engine/sequence-wakeups.js';

/**
 * `moveEnrollments`: the live enrollments of one version continue in another, at the step the
 * mapping names for the step each stands at. Explicit and checked before anything moves: every
 * step where live enrollments stand is mapped (nobody is left behind or lost), every key exists,
 * and no enrollment can reach an EMAIL it was already handed (keys name a step across versions),
 * so a move never resends. Enrollments keep their mailbox, thread and step clock.
 */
@Injectable()
export class MoveEnrollments {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sequences: SequencesService,
    private readonly clock: Clock,
    private readonly wakeups: SequenceWakeups,
  ) {}

  async run(organizationId: string, actor: Actor, input: MoveEnrollmentsInput) {
    return this.prisma.transaction(
      async (tx) => {
        const sequence = await this.sequences.lockFor(tx, organizationId, input.sequenceId, 'move');
        const toVersion = input.toVersion ?? sequence.currentVersion!;
        if (toVersion === input.fromVersion)
          throw badInput('toVersion', 'toVersion must differ from fromVersion');
        const from = await this.version(tx, sequence.id, input.fromVersion, 'fromVersion');
        const to = await this.version(tx, sequence.id, toVersion, 'toVersion');
        const mapping = this.mapping(input, from.graph, to.graph);
        const live = await tx.$queryRaw<{ id: string; currentStepKey: string }[]>`
          SELECT id::text, "currentStepKey" FROM "SequenceEnrollment"
          WHERE "sequenceId" = ${sequence.id}::uuid AND "versionId" = ${from.id}::uuid AND status IN ('ACTIVE', 'PAUSED')
          ORDER BY id FOR UPDATE`;
        const unmapped = [...new Set(live.map((e) => e.currentStepKey))].filter((k) => !mapping.has(k));
        if (unmapped.length) {
          const n = live.filter((e) => e.currentStepKey === unmapped[0]).length;
          throw badInput(
            'stepMapping',
            `${n} enrollment(s) stand at step "${unmapped[0]}", which stepMapping does not map`,
          );
        }
        await this.assertNoResend(tx, live, mapping, to.graph);
        const now = this.clock.now();
        await tx.$executeRaw`
          UPDATE "SequenceEnrollment" e SET "versionId" = ${to.id}::uuid, version = ${toVersion}, "currentStepKey" = u.step,
            "dueAt" = CASE WHEN e.status = 'ACTIVE' THEN (${now.toISOString()}::timestamptz AT TIME ZONE 'UTC') ELSE e."dueAt" END,
            "updatedAt" = now()
          FROM unnest(${live.map((e) => e.id)}::uuid[], ${live.map((e) => mapping.get(e.currentStepKey)!.to)}::text[]) AS u(id, step)
          WHERE e.id = u.id`;
        this.wakeups.at([now]);
        await addTimeline(
          tx,
          live.map((e) => ({
            organizationId,
            enrollmentId: e.id,
            type: 'MOVED' as const,
            at: now,
            version: toVersion,
            stepKey: mapping.get(e.currentStepKey)!.to,
            data: { fromVersion: input.fromVersion, fromStepKey: e.currentStepKey },
          })),
        );
        await recordEvent(
          tx,
          organizationId,
          'sequence.enrollments_moved',
          actor,
          { sequenceId: sequence.id },
          {
            fromVersion: input.fromVersion,
            toVersion,
            moved: live.length,
          },
        );
        return { moved: live.length, fromVersion: input.fromVersion, toVersion };
      },
      { timeout: 60_000 },
    );
  }

  private async version(tx: Tx, sequenceId: string, version: number, field: string) {
    const v = await tx.sequenceVersion.findUnique({
      where: { sequenceId_version: { sequenceId, version } },
      include: { steps: true },
    });
    if (!v?.publishedAt) throw badInput(field, `The sequence has no published version ${version}`);
    return { id: v.id, graph: graphFromRows(v.entryStepKey, v.steps) };
  }

  private mapping(input: MoveEnrollmentsInput, from: SequenceGraph, to: SequenceGraph) {
    const mapping = new Map<string, { to: string; index: number }>();
    input.stepMapping.forEach((m, index) => {
      if (!from.steps.has(m.fromStepKey))
        throw badInput(
          `stepMapping.${index}.fromStepKey`,
          `Version ${input.fromVersion} has no step "${m.fromStepKey}"`,
        );
      if (!to.steps.has(m.toStepKey))
        throw badInput(`stepMapping.${index}.toStepKey`, `The target version has no step "${m.toStepKey}"`);
      if (mapping.has(m.fromStepKey))
        throw badInput(`stepMapping.${index}.fromStepKey`, `Step "${m.fromStepKey}" is mapped twice`);
      mapping.set(m.fromStepKey, { to: m.toStepKey, index });
    });
    return mapping;
  }

  /** Refuses a mapping from which an enrollment could reach an EMAIL whose key it was already handed. */
  private async assertNoResend(
    tx: Tx,
    live: { id: string; currentStepKey: string }[],
    mapping: Map<string, { to: string; index: number }>,
    to: SequenceGraph,
  ) {
    const executed = await tx.stepExecution.findMany({
      where: { enrollmentId: { in: live.map((e) => e.id) } },
      select: { enrollmentId: true, stepKey: true },
    });
    const sent = new Map<string, Set<string>>();
    for (const x of executed)
      sent.set(x.enrollmentId, (sent.get(x.enrollmentId) ?? new Set()).add(x.stepKey));
    const emailsAhead = new Map<string, string[]>();
    for (const { to: key } of mapping.values())
      emailsAhead.set(
        key,
        [...reachableFrom(to, key)].filter((k) => to.steps.get(k)!.type === 'EMAIL'),
      );
    for (const e of live) {
      const target = mapping.get(e.currentStepKey)!;
      const again = emailsAhead.get(target.to)!.find((k) => sent.get(e.id)?.has(k));
      if (again) {
        const n = live.filter(
          (o) =>
            mapping.get(o.currentStepKey) === target &&
            emailsAhead.get(target.to)!.some((k) => sent.get(o.id)?.has(k)),
        ).length;
        throw badInput(
          `stepMapping.${target.index}.toStepKey`,
          `From "${target.to}", ${n} enrollment(s) would be sent "${again}" again`,
        );
      }
    }
  }
}
