import type { EnrollmentStatus, SequenceStatus } from '../generated/prisma/enums.js';

/** The sequence lifecycle: DRAFT → ACTIVE ⇄ PAUSED → ARCHIVED (a DRAFT can be archived too). */
export const SEQUENCE_TRANSITIONS = {
  update: ['DRAFT', 'ACTIVE', 'PAUSED'],
  activate: ['DRAFT'],
  pause: ['ACTIVE'],
  resume: ['PAUSED'],
  archive: ['DRAFT', 'ACTIVE', 'PAUSED'],
  enroll: ['ACTIVE', 'PAUSED'],
  move: ['ACTIVE', 'PAUSED'],
} as const satisfies Record<string, readonly SequenceStatus[]>;

export type SequenceAction = keyof typeof SEQUENCE_TRANSITIONS;

/** One enrollment: ACTIVE ⇄ PAUSED → COMPLETED | STOPPED. */
export const ENROLLMENT_TRANSITIONS = {
  stop: ['ACTIVE', 'PAUSED'],
  /** A PAUSED one only when it is held by its paused sequence: then it stays paused when that resumes. */
  pause: ['ACTIVE', 'PAUSED'],
  resume: ['PAUSED'],
} as const satisfies Record<string, readonly EnrollmentStatus[]>;

export type EnrollmentAction = keyof typeof ENROLLMENT_TRANSITIONS;

export const LIVE_ENROLLMENT: readonly EnrollmentStatus[] = ['ACTIVE', 'PAUSED'];

export const canDoSequence = (action: SequenceAction, status: SequenceStatus) =>
  (SEQUENCE_TRANSITIONS[action] as readonly SequenceStatus[]).includes(status);
export const canDoEnrollment = (action: EnrollmentAction, status: EnrollmentStatus) =>
  (ENROLLMENT_TRANSITIONS[action] as readonly EnrollmentStatus[]).includes(status);
