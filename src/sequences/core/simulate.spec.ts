import type { BusinessCalendar } from './business-time.js';
import { buildGraph, type StepSpec } from './graph.js';
import { simulate, type SimulatedEngagement, type SimulationResult } from './simulate.js';
import type { StopRules } from './stop-rules.js';

const rules: StopRules = {
  onReply: true,
  onAutoReply: false,
  onDomainReply: false,
  onBounce: true,
  onUnsubscribe: true,
};
const newYork: BusinessCalendar = {
  zone: 'America/New_York',
  days: [1, 2, 3, 4, 5],
  startMinute: 540,
  endMinute: 1020,
};
const email = (key: string, extra: Partial<StepSpec> = {}): StepSpec => ({
  key,
  type: 'EMAIL',
  subject: 's',
  htmlBody: 'b',
  ...extra,
});
/** The sequence: email → wait 2 business days → replied? no → follow-up → wait 3 business days → last email. */
const threeEmails: StepSpec[] = [
  email('intro', { threadMode: 'NEW_THREAD' }),
  { key: 'wait-1', type: 'WAIT', waitAmount: 2, waitUnit: 'BUSINESS_DAYS' },
  {
    key: 'replied',
    type: 'CONDITION',
    condition: 'REPLIED',
    windowAmount: 0,
    windowUnit: 'MINUTES',
    yesStepKey: 'done',
    noStepKey: 'follow-up',
  },
  email('follow-up'),
  { key: 'wait-2', type: 'WAIT', waitAmount: 3, waitUnit: 'BUSINESS_DAYS' },
  email('last', { nextStepKey: 'done' }),
  { key: 'done', type: 'END' },
];

const run = (steps: StepSpec[], startAt: string, engagements: SimulatedEngagement[] = [], stop = rules) =>
  simulate({
    ctx: { graph: buildGraph(steps), calendar: newYork },
    version: 1,
    rules: stop,
    startAt: new Date(startAt),
    engagements,
  });
const sends = (r: SimulationResult) =>
  r.entries.filter((e) => e.type === 'EMAIL_SENT').map((e) => [e.stepKey, e.at.toISOString()]);

describe('simulate', () => {
  it('follows the three emails across the November DST change, each at 16:30 New York time', () => {
    // Thursday 29 October 16:30 EDT.
    const r = run(threeEmails, '2026-10-29T20:30:00Z');
    expect(r.outcome).toBe('COMPLETED');
    expect(sends(r)).toEqual([
      ['intro', '2026-10-29T20:30:00.000Z'],
      ['follow-up', '2026-11-02T21:30:00.000Z'], // Monday 16:30 EST
      ['last', '2026-11-05T21:30:00.000Z'], // Thursday 16:30 EST
    ]);
    expect(r.entries.map((e) => `${e.type}:${e.stepKey ?? ''}`)).toEqual([
      'STEP_ENTERED:intro',
      'EMAIL_SENT:intro',
      'STEP_ENTERED:wait-1',
      'WAITING:wait-1',
      'STEP_ENTERED:replied',
      'BRANCH_NO:replied',
      'STEP_ENTERED:follow-up',
      'EMAIL_SENT:follow-up',
      'STEP_ENTERED:wait-2',
      'WAITING:wait-2',
      'STEP_ENTERED:last',
      'EMAIL_SENT:last',
      'STEP_ENTERED:done',
      'COMPLETED:',
    ]);
  });

  it('waits for business hours before the first email', () => {
    // Saturday: Monday 09:00 EDT.
    expect(sends(run(threeEmails, '2026-06-06T16:00:00Z'))[0]).toEqual(['intro', '2026-06-08T13:00:00.000Z']);
  });

  it('stops at a reply, and sends nothing after it', () => {
    const r = run(threeEmails, '2026-10-29T20:30:00Z', [
      { type: 'REPLIED', stepKey: 'intro', afterMinutes: 60 },
    ]);
    expect(r).toMatchObject({ outcome: 'STOPPED', stopReason: 'REPLIED' });
    expect(sends(r)).toEqual([['intro', '2026-10-29T20:30:00.000Z']]);
    expect(r.entries.at(-1)).toMatchObject({
      type: 'STOPPED',
      at: new Date('2026-10-29T21:30:00Z'),
      stepKey: 'wait-1',
    });
  });

  it('takes the yes branch for a reply when replies do not stop the sequence, and ignores automatic replies', () => {
    const keepGoing = { ...rules, onReply: false };
    const replied = run(
      threeEmails,
      '2026-10-29T20:30:00Z',
      [{ type: 'REPLIED', stepKey: 'intro', afterMinutes: 60 }],
      keepGoing,
    );
    expect(replied.outcome).toBe('COMPLETED');
    expect(sends(replied)).toEqual([['intro', '2026-10-29T20:30:00.000Z']]);
    expect(replied.entries.some((e) => e.type === 'BRANCH_YES' && e.stepKey === 'replied')).toBe(true);
    const auto = run(threeEmails, '2026-10-29T20:30:00Z', [
      { type: 'AUTO_REPLIED', stepKey: 'intro', afterMinutes: 1 },
    ]);
    expect(auto.outcome).toBe('COMPLETED');
    expect(sends(auto)).toHaveLength(3);
  });

  it('branches on a click as soon as it happens, or at the end of the window', () => {
    const clicked: StepSpec[] = [
      email('intro'),
      {
        key: 'clicked',
        type: 'CONDITION',
        condition: 'CLICKED',
        windowAmount: 2,
        windowUnit: 'BUSINESS_DAYS',
        yesStepKey: 'thanks',
        noStepKey: 'nudge',
      },
      email('thanks', { nextStepKey: 'end' }),
      email('nudge'),
      { key: 'end', type: 'END' },
    ];
    // Tuesday 2 June 10:00 EDT; a click 90 minutes later.
    const yes = run(clicked, '2026-06-02T14:00:00Z', [
      { type: 'CLICKED', stepKey: 'intro', afterMinutes: 90 },
    ]);
    expect(sends(yes)).toEqual([
      ['intro', '2026-06-02T14:00:00.000Z'],
      ['thanks', '2026-06-02T15:30:00.000Z'],
    ]);
    const no = run(clicked, '2026-06-02T14:00:00Z');
    expect(sends(no)).toEqual([
      ['intro', '2026-06-02T14:00:00.000Z'],
      ['nudge', '2026-06-04T14:00:00.000Z'],
    ]);
    // A click after the window closed changes nothing.
    const late = run(clicked, '2026-06-02T14:00:00Z', [
      { type: 'CLICKED', stepKey: 'intro', afterMinutes: 3 * 24 * 60 },
    ]);
    expect(sends(late)).toEqual(sends(no));
  });
});
