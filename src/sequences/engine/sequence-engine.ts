import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock/clock.js';
import { Prisma } from '../../generated/prisma/client.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { EnrollmentStepper, type LockedEnrollment } from './enrollment-stepper.js';

export const CLAIM_BATCH = 1000;
/** Claim loops one process runs side by side (each its own transaction and connection). */
export const CLAIM_LOOPS = 3;

/** The columns of a locked enrollment, as `EnrollmentStepper` takes them. */
export const LOCKED_ENROLLMENT_COLUMNS =
  Prisma.raw(`e.id::text, e."organizationId"::text, e."sequenceId"::text,
  e."contactId"::text, c.email AS "contactEmail", c.timezone AS "contactTimezone",
  e."senderAccountId"::text, e."versionId"::text, e.version, e.status::text, e."currentStepKey", e."stepEnteredAt",
  e."threadMessageId", e."providerThreadId"`);

/**
 * The step engine's claim loop: due ACTIVE enrollments are claimed in batches with
 * `FOR UPDATE SKIP LOCKED` (any number of processes share the work without waiting on each other)
 * and each batch is stepped and committed in one transaction. A crash loses nothing: an
 * uncommitted batch is still due, and a committed hand-over is recorded with its execution.
 */
@Injectable()
export class SequenceEngine {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: Clock,
    private readonly stepper: EnrollmentStepper,
  ) {}

  /**
   * Acts on every enrollment due now; returns how many it processed and how many emails it handed
   * over. Several claim loops run side by side (CLAIM_LOOPS): while one batch waits on the
   * database the next is being stepped, and SKIP LOCKED keeps them off each other's rows.
   */
  async runDue(batchSize = CLAIM_BATCH) {
    const total = { processed: 0, handedOver: 0 };
    // A cheap look on the partial index first: an idle tick opens no transaction.
    const [{ due }] = await this.prisma.db.$queryRaw<{ due: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM "SequenceEnrollment" WHERE status = 'ACTIVE'
        AND "dueAt" <= (${this.clock.now().toISOString()}::timestamptz AT TIME ZONE 'UTC')) AS due`;
    if (!due) return total;
    const loops = await Promise.all(Array.from({ length: CLAIM_LOOPS }, () => this.claimLoop(batchSize)));
    for (const l of loops) {
      total.processed += l.processed;
      total.handedOver += l.handedOver;
    }
    return total;
  }

  private async claimLoop(batchSize: number) {
    const total = { processed: 0, handedOver: 0 };
    for (;;) {
      const { claimed, processed, handedOver } = await this.prisma.transaction(
        async (tx) => {
          const now = this.clock.now();
          const rows = await tx.$queryRaw<LockedEnrollment[]>`
            SELECT ${LOCKED_ENROLLMENT_COLUMNS}
            FROM "SequenceEnrollment" e JOIN "Contact" c ON c.id = e."contactId"
            WHERE e.status = 'ACTIVE' AND e."dueAt" <= (${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')
            ORDER BY e."dueAt" LIMIT ${batchSize}
            FOR UPDATE OF e SKIP LOCKED`;
          return { claimed: rows.length, ...(await this.stepper.step(tx, rows, now)) };
        },
        { timeout: 120_000 },
      );
      total.processed += processed;
      total.handedOver += handedOver;
      // A short batch means nothing else is due; a batch that changed nothing must not spin.
      if (claimed < batchSize || processed === 0) return total;
    }
  }

  /** When the next enrollment falls due (for a delayed job at that exact time); null when none is waiting. */
  async nextDueAt(): Promise<Date | null> {
    const [row] = await this.prisma.db.$queryRaw<{ at: Date | null }[]>`
      SELECT min("dueAt") AS at FROM "SequenceEnrollment" WHERE status = 'ACTIVE'`;
    return row?.at ?? null;
  }
}
