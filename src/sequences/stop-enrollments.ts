import type { EnrollmentStopReason } from '../generated/prisma/enums.js';
import type { Tx } from '../prisma/prisma.service.js';
import type { SequenceDelivery } from './delivery/sequence-delivery.port.js';
import { addTimeline } from './enrollment-timeline.js';

/**
 * Stops the live enrollments among `ids` with `reason` and cancels their messages delivery has not
 * sent yet, in the caller's transaction (which holds, or now takes, their row locks). Enrollments
 * that already ended are left as they are. Returns the ids it stopped.
 */
export async function stopEnrollments(
  tx: Tx,
  delivery: SequenceDelivery,
  sequenceId: string,
  ids: readonly string[],
  reason: EnrollmentStopReason,
  now: Date,
): Promise<string[]> {
  if (!ids.length) return [];
  const stopped = await tx.$queryRaw<
    { id: string; organizationId: string; version: number; currentStepKey: string }[]
  >`
    UPDATE "SequenceEnrollment"
    SET status = 'STOPPED', "stopReason" = ${reason}::"EnrollmentStopReason", "dueAt" = NULL,
        "pausedWithSequence" = false, "endedAt" = (${now.toISOString()}::timestamptz AT TIME ZONE 'UTC'),
        "updatedAt" = now()
    WHERE id = ANY(${ids}::uuid[]) AND status IN ('ACTIVE', 'PAUSED')
    RETURNING id::text, "organizationId"::text, version, "currentStepKey"`;
  if (!stopped.length) return [];
  const inFlight = await tx.stepExecution.findMany({
    where: { enrollmentId: { in: stopped.map((s) => s.id) }, status: 'HANDED_OVER' },
    select: { id: true },
  });
  const cancelled = inFlight.length
    ? await delivery.cancelMessages(
        tx,
        sequenceId,
        inFlight.map((e) => e.id),
      )
    : [];
  if (cancelled.length)
    await tx.stepExecution.updateMany({ where: { id: { in: cancelled } }, data: { status: 'CANCELLED' } });
  await addTimeline(
    tx,
    stopped.map((s) => ({
      organizationId: s.organizationId,
      enrollmentId: s.id,
      type: 'STOPPED' as const,
      at: now,
      version: s.version,
      stepKey: s.currentStepKey,
      data: { reason },
    })),
  );
  return stopped.map((s) => s.id);
}
