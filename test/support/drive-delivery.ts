import { SequenceEngine } from '../../src/sequences/engine/sequence-engine.js';
import type { ManualClock } from './manual-clock.js';
import type { TestApp } from './test-app.js';
import { waitFor } from '../factories/campaigns.js';

/** Waits until delivery has settled every message of the group (a guard against a hang, not a timing). */
export async function deliverySettled(t: TestApp, groupId: string) {
  await waitFor(
    () =>
      t.prisma.db.outboundMessage.count({
        where: { groupId, status: { in: ['PENDING', 'QUEUED', 'SENDING'] } },
      }),
    (open) => open === 0,
    60_000,
  );
}

/**
 * Runs a sequence's schedule until `end` through the real delivery pipeline: the clock jumps to
 * each next due time, the engine claims what is due, and the test waits until delivery has sent
 * (and reported) everything handed over before moving the clock on.
 */
export async function driveWithDelivery(t: TestApp, clock: ManualClock, sequenceId: string, end: Date) {
  const engine = t.app.get(SequenceEngine);
  for (let rounds = 0; rounds < 10_000; rounds++) {
    await engine.runDue();
    await deliverySettled(t, sequenceId);
    // A wake-up job may be stepping enrollments in another transaction right now: until it commits
    // they still read as due, so the clock moves only once nothing due by now is left.
    const due = await t.prisma.db.sequenceEnrollment.count({
      where: { sequenceId, status: 'ACTIVE', dueAt: { lte: clock.now() } },
    });
    const open = await t.prisma.db.outboundMessage.count({
      where: { groupId: sequenceId, status: { in: ['PENDING', 'QUEUED', 'SENDING'] } },
    });
    if (due > 0 || open > 0) {
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    const next = await engine.nextDueAt();
    if (!next || next > end) break;
    if (next > clock.now()) clock.set(next);
  }
  if (end > clock.now()) clock.set(end);
}
