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

/**
 * Appends entries to enrollment timelines, in the caller's transaction: one statement whatever the
 * number of entries (the engine writes two or three per enrollment it moves), in the given order.
 */
export async function addTimeline(tx: Tx, entries: readonly TimelineEntry[]) {
  if (!entries.length) return;
  const col = <T>(f: (e: TimelineEntry) => T) => entries.map(f);
  await tx.$executeRaw`
    INSERT INTO "EnrollmentEvent" ("organizationId", "enrollmentId", type, at, version, "stepKey", data)
    SELECT u.org, u.enrollment, u.type::"EnrollmentEventType", (u.at AT TIME ZONE 'UTC'), u.version, u.step, u.data
    FROM unnest(${col((e) => e.organizationId)}::uuid[], ${col((e) => e.enrollmentId)}::uuid[],
                ${col((e) => e.type)}::text[], ${col((e) => e.at.toISOString())}::timestamptz[],
                ${col((e) => e.version ?? null)}::int[], ${col((e) => e.stepKey ?? null)}::text[],
                ${col((e) => JSON.stringify(e.data ?? {}))}::jsonb[])
      WITH ORDINALITY AS u(org, enrollment, type, at, version, step, data, n)
    ORDER BY u.n`;
}
