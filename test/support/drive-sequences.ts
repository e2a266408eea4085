import type { SequenceTestApp } from './sequence-app.js';

/** Delivery "sends" everything queued, at the current clock time, and reports it. */
export async function deliverQueued(t: SequenceTestApp) {
  const queued = t.delivery.queued();
  if (!queued.length) return 0;
  for (const m of queued) m.state = 'SENT';
  await t.report(queued.map((m) => t.delivery.event(m, 'sent', t.clock.now())));
  return queued.length;
}

/**
 * Runs the schedule until `end` in seconds: the clock jumps to each next due time, the engine
 * claims what is due, and delivery sends what was handed over at once. Returns how many rounds ran.
 */
export async function driveUntil(t: SequenceTestApp, end: Date, options: { deliver?: boolean } = {}) {
  let rounds = 0;
  for (; rounds < 10_000; rounds++) {
    await t.engine.runDue();
    if (options.deliver !== false && (await deliverQueued(t))) continue;
    const next = await t.engine.nextDueAt();
    if (!next || next > end) break;
    if (next > t.clock.now()) t.clock.set(next);
  }
  if (end > t.clock.now()) t.clock.set(end);
  return rounds;
}
