import { BullModule, InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { Clock } from '../../common/clock/clock.js';
import { transactionContext } from '../../prisma/transaction-context.js';

export const SEQUENCES_QUEUE = 'sequences';
export const SequencesQueue = BullModule.registerQueue({ name: SEQUENCES_QUEUE });

/** Distinct wake-up times asked for by one transaction; the tick covers any beyond. */
const MAX_WAKEUPS = 100;

/**
 * A step that becomes due runs at its time, not at the next tick: whatever sets an enrollment's
 * due time asks for a delayed job at that time (rounded up to the second, one job per second
 * across the whole engine). The job runs the claim loop, which acts on everything due by then.
 * Jobs are a speed-up only: a lost job (Redis flushed, a process killed) is covered by the tick.
 */
@Injectable()
export class SequenceWakeups {
  private readonly logger = new Logger(SequenceWakeups.name);

  constructor(
    @InjectQueue(SEQUENCES_QUEUE) private readonly queue: Queue,
    private readonly clock: Clock,
  ) {}

  /** After the caller's transaction commits, runs the engine at each of these times. */
  at(times: readonly (Date | null | undefined)[]) {
    const seconds = [
      ...new Set(times.filter((t): t is Date => !!t).map((t) => Math.ceil(t.getTime() / 1000) * 1000)),
    ]
      .sort((a, b) => a - b)
      .slice(0, MAX_WAKEUPS);
    if (!seconds.length) return;
    transactionContext.afterCommit(() => void this.enqueue(seconds));
  }

  private async enqueue(seconds: number[]) {
    const now = this.clock.now().getTime();
    try {
      await Promise.all(
        seconds.map((at) =>
          this.queue.add(
            'due',
            {},
            { jobId: `due:${at}`, delay: Math.max(0, at - now), removeOnComplete: true, removeOnFail: true },
          ),
        ),
      );
    } catch (e) {
      this.logger.warn(`wake-up jobs not queued (the tick runs the steps): ${String(e)}`);
    }
  }
}
