import type { Prisma } from '../generated/prisma/client.js';
import type { EnrollmentEventType } from '../generated/prisma/enums.js';
import type { Tx } from '../prisma/prisma.service.js';

/** One entry of an enrollment's timeline; `at` comes from the engine clock. */
export interface TimelineEntry {
  organizationId: string;
  enrollmentId: string;
  type: EnrollmentEventType;
  at: Date;
  version?: number | null;
  stepKey?: string | null;
  data?: Record<string, unknown>;
}

/** Appends entries to enrollment timelines, in the caller's transaction. */
export async function addTimeline(tx: Tx, entries: readonly TimelineEntry[]) {
  if (!entries.length) return;
  await tx.enrollmentEvent.createMany({
    data: entries.map((e) => ({
      organizationId: e.organizationId,
      enrollmentId: e.enrollmentId,
      type: e.type,
      at: e.at,
      version: e.version ?? null,
      stepKey: e.stepKey ?? null,
      data: (e.data ?? {}) as Prisma.InputJsonValue,
    })),
  });
}
