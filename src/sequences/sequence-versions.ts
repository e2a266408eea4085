import type { Sequence } from '../generated/prisma/client.js';
import type { Tx } from '../prisma/prisma.service.js';
import type { StepSpec } from './core/graph.js';
import type { SequenceDelivery } from './delivery/sequence-delivery.port.js';
import { graphFromRows, stepRows } from './sequence-steps.js';

/**
 * Versions of a sequence's step graph. A version is written once; the draft of a DRAFT sequence is
 * the only one rewritten in place. Publishing creates delivery content for every EMAIL step and
 * the step counters, in the caller's transaction.
 */

type Track = Pick<Sequence, 'trackOpens' | 'trackClicks'>;

/** Writes version `version` with these (validated) steps; returns its id. */
export async function writeVersion(
  tx: Tx,
  sequenceId: string,
  version: number,
  steps: readonly StepSpec[],
  track: Track,
) {
  const { id } = await tx.sequenceVersion.create({
    data: {
      sequenceId,
      version,
      entryStepKey: steps[0].key,
      trackOpens: track.trackOpens,
      trackClicks: track.trackClicks,
    },
    select: { id: true },
  });
  await tx.sequenceStep.createMany({
    data: stepRows(steps).map((r) => ({ ...r, versionId: id, sequenceId })),
  });
  return id;
}

/** Replaces the steps of the (unpublished) draft version. */
export async function rewriteDraft(
  tx: Tx,
  versionId: string,
  sequenceId: string,
  steps: readonly StepSpec[] | undefined,
  track: Track,
) {
  if (steps) {
    await tx.sequenceStep.deleteMany({ where: { versionId } });
    await tx.sequenceStep.createMany({ data: stepRows(steps).map((r) => ({ ...r, versionId, sequenceId })) });
  }
  await tx.sequenceVersion.update({
    where: { id: versionId },
    data: {
      ...(steps ? { entryStepKey: steps[0].key } : {}),
      trackOpens: track.trackOpens,
      trackClicks: track.trackClicks,
    },
  });
}

/** A new version with the steps of `fromVersionId` (settings such as tracking changed, not the graph). */
export async function copyVersion(
  tx: Tx,
  sequenceId: string,
  fromVersionId: string,
  version: number,
  track: Track,
) {
  const from = await tx.sequenceVersion.findUniqueOrThrow({
    where: { id: fromVersionId },
    include: { steps: true },
  });
  const { id } = await tx.sequenceVersion.create({
    data: {
      sequenceId,
      version,
      entryStepKey: from.entryStepKey,
      trackOpens: track.trackOpens,
      trackClicks: track.trackClicks,
    },
    select: { id: true },
  });
  await tx.sequenceStep.createMany({
    data: from.steps.map(({ id: _id, versionId: _v, contentId: _c, ...row }) => ({ ...row, versionId: id })),
  });
  return id;
}

/** Publishes a version: immutable from now on, with delivery content and counters for its steps. */
export async function publishVersion(
  tx: Tx,
  delivery: SequenceDelivery,
  sequence: Pick<Sequence, 'id' | 'organizationId' | 'name'>,
  versionId: string,
  now: Date,
) {
  const version = await tx.sequenceVersion.findUniqueOrThrow({
    where: { id: versionId },
    include: { steps: true },
  });
  for (const step of version.steps) {
    if (step.type !== 'EMAIL') continue;
    const contentId = await delivery.createContent(tx, {
      organizationId: sequence.organizationId,
      subject: step.subject ?? '',
      htmlBody: step.htmlBody ?? '',
      textBody: step.textBody,
      fromName: null,
      replyTo: null,
      trackOpens: version.trackOpens,
      trackClicks: version.trackClicks,
      variables: { sequence: { name: sequence.name } },
    });
    await tx.sequenceStep.update({ where: { id: step.id }, data: { contentId } });
  }
  await tx.sequenceStepStats.createMany({
    data: version.steps.map((s) => ({ stepId: s.id, sequenceId: sequence.id })),
  });
  await tx.sequenceVersion.update({ where: { id: versionId }, data: { publishedAt: now } });
  return graphFromRows(version.entryStepKey, version.steps);
}
