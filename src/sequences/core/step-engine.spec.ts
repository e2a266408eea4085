import type { BusinessCalendar } from './business-time.js';
import { buildGraph, type StepSpec } from './graph.js';
import { advance, decide, type EmailFact, type EngineContext } from './step-engine.js';

const calendar: BusinessCalendar = {
  zone: 'America/New_York',
  days: [1, 2, 3, 4, 5],
  startMinute: 540,
  endMinute: 1020,
};
const steps: StepSpec[] = [
  { key: 'intro', type: 'EMAIL', subject: 's', htmlBody: 'b', threadMode: 'NEW_THREAD' },
  { key: 'wait', type: 'WAIT', waitAmount: 2, waitUnit: 'BUSINESS_DAYS' },
  {
    key: 'opened',
    type: 'CONDITION',
    condition: 'OPENED',
    windowAmount: 1,
    windowUnit: 'BUSINESS_DAYS',
    yesStepKey: 'done',
    noStepKey: 'bump',
  },
  { key: 'bump', type: 'EMAIL', subject: 's', htmlBody: 'b' },
  { key: 'done', type: 'END' },
];
const ctx: EngineContext = { graph: buildGraph(steps), calendar };
const at = (s: string) => new Date(s);
const sent = (stepKey: string, sentAt: string, extra: Partial<EmailFact> = {}): EmailFact => ({
  version: 1,
  stepKey,
  status: 'SENT',
  sentAt: at(sentAt),
  openedAt: null,
  clickedAt: null,
  repliedAt: null,
  ...extra,
});
const position = (stepKey: string, enteredAt: string, version = 1) => ({
  version,
  stepKey,
  enteredAt: at(enteredAt),
});

describe('decide', () => {
  it('hands an EMAIL over in business hours and waits for them otherwise', () => {
    // Tuesday 10:00 New York.
    expect(decide(ctx, position('intro', '2026-06-02T14:00:00Z'), [], at('2026-06-02T14:00:00Z'))).toEqual({
      kind: 'send',
      stepKey: 'intro',
      threadMode: 'NEW_THREAD',
    });
    // Saturday: until Monday 09:00.
    expect(decide(ctx, position('intro', '2026-06-06T14:00:00Z'), [], at('2026-06-06T14:00:00Z'))).toEqual({
      kind: 'wait',
      stepKey: 'intro',
      until: at('2026-06-08T13:00:00Z'),
    });
  });

  it('awaits delivery, moves on from the send time, and stops when the email failed', () => {
    const p = position('intro', '2026-06-02T14:00:00Z');
    const now = at('2026-06-02T15:00:00Z');
    expect(
      decide(ctx, p, [sent('intro', '2026-06-02T14:00:00Z', { status: 'HANDED_OVER', sentAt: null })], now),
    ).toEqual({
      kind: 'await',
      stepKey: 'intro',
    });
    expect(decide(ctx, p, [sent('intro', '2026-06-02T14:05:00Z')], now)).toEqual({
      kind: 'move',
      from: 'intro',
      to: 'wait',
      at: at('2026-06-02T14:05:00Z'),
    });
    expect(
      decide(ctx, p, [sent('intro', '2026-06-02T14:05:00Z', { status: 'FAILED', sentAt: null })], now),
    ).toEqual({
      kind: 'stop',
      reason: 'SEND_FAILED',
    });
  });

  it('does not count an email of another version as this step being sent', () => {
    const p = position('intro', '2026-06-02T14:00:00Z', 2);
    expect(decide(ctx, p, [sent('intro', '2026-06-01T14:00:00Z')], at('2026-06-02T14:00:00Z')).kind).toBe(
      'send',
    );
  });

  it('waits in business days, then moves at the end of the wait', () => {
    const p = position('wait', '2026-06-05T20:00:00Z'); // Friday 16:00
    expect(decide(ctx, p, [], at('2026-06-08T20:00:00Z'))).toEqual({
      kind: 'wait',
      stepKey: 'wait',
      until: at('2026-06-09T20:00:00Z'),
    });
    expect(decide(ctx, p, [], at('2026-06-09T20:00:00Z'))).toEqual({
      kind: 'move',
      from: 'wait',
      to: 'opened',
      at: at('2026-06-09T20:00:00Z'),
    });
  });

  it('takes the yes branch when the last email was opened, the no branch when the window ends', () => {
    const p = position('opened', '2026-06-09T20:00:00Z'); // Tuesday 16:00, window until Wednesday 16:00
    const opened = [sent('intro', '2026-06-05T20:00:00Z', { openedAt: at('2026-06-10T14:00:00Z') })];
    expect(decide(ctx, p, opened, at('2026-06-10T14:00:00Z'))).toEqual({
      kind: 'move',
      from: 'opened',
      to: 'done',
      at: at('2026-06-10T14:00:00Z'),
      branch: 'YES',
    });
    // Opened before the condition was reached: yes at once, entered at the condition's start.
    const early = [sent('intro', '2026-06-05T20:00:00Z', { openedAt: at('2026-06-06T10:00:00Z') })];
    expect(decide(ctx, p, early, at('2026-06-09T20:00:00Z'))).toMatchObject({
      branch: 'YES',
      at: at('2026-06-09T20:00:00Z'),
    });
    const quiet = [sent('intro', '2026-06-05T20:00:00Z')];
    expect(decide(ctx, p, quiet, at('2026-06-10T19:59:00Z'))).toEqual({
      kind: 'wait',
      stepKey: 'opened',
      until: at('2026-06-10T20:00:00Z'),
    });
    expect(decide(ctx, p, quiet, at('2026-06-10T20:00:00Z'))).toMatchObject({
      to: 'bump',
      branch: 'NO',
      at: at('2026-06-10T20:00:00Z'),
    });
  });

  it('completes at an END step and after a last email', () => {
    expect(decide(ctx, position('done', '2026-06-10T14:00:00Z'), [], at('2026-06-11T00:00:00Z'))).toEqual({
      kind: 'complete',
      at: at('2026-06-10T14:00:00Z'),
    });
    // bump goes on to done (the next step in the list), which completes at once.
    const r = advance(
      ctx,
      position('bump', '2026-06-10T20:00:00Z'),
      [sent('bump', '2026-06-10T20:00:00Z')],
      at('2026-06-11T00:00:00Z'),
    );
    expect(r.moves.map((m) => m.to)).toEqual(['done']);
    expect(r.decision).toEqual({ kind: 'complete', at: at('2026-06-10T20:00:00Z') });
    const single: EngineContext = { graph: buildGraph([steps[0]]), calendar };
    expect(
      decide(
        single,
        position('intro', '2026-06-10T14:00:00Z'),
        [sent('intro', '2026-06-10T14:00:00Z')],
        at('2026-06-11T00:00:00Z'),
      ),
    ).toEqual({
      kind: 'complete',
      at: at('2026-06-10T14:00:00Z'),
    });
  });
});

describe('advance', () => {
  it('follows every move due now and stops at the first thing to do', () => {
    // intro sent Friday 16:00; on Wednesday 16:00 the wait (Tuesday 16:00) and the window are over.
    const r = advance(
      ctx,
      position('intro', '2026-06-05T20:00:00Z'),
      [sent('intro', '2026-06-05T20:00:00Z')],
      at('2026-06-10T20:00:00Z'),
    );
    expect(r.moves.map((m) => [m.from, m.to, m.at.toISOString(), m.branch])).toEqual([
      ['intro', 'wait', '2026-06-05T20:00:00.000Z', undefined],
      ['wait', 'opened', '2026-06-09T20:00:00.000Z', undefined],
      ['opened', 'bump', '2026-06-10T20:00:00.000Z', 'NO'],
    ]);
    expect(r.position).toEqual(position('bump', '2026-06-10T20:00:00Z'));
    expect(r.decision).toEqual({ kind: 'send', stepKey: 'bump', threadMode: 'SAME_THREAD' });
  });
});
