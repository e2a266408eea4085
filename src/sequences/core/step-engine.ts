import { addDuration, isBusinessTime, nextBusinessMoment, type BusinessCalendar } from './business-time.js';
import type { ConditionKind, SequenceGraph, ThreadMode } from './graph.js';

/**
 * The step engine as a pure transition function. The real engine (claims, the delivery event
 * handler) and `simulate` both call `advance`; nothing else decides what an enrollment does next.
 */

/** What is known of one email an enrollment was handed over (any version). */
export interface EmailFact {
  version: number;
  stepKey: string;
  status: 'HANDED_OVER' | 'SENT' | 'FAILED' | 'CANCELLED';
  sentAt: Date | null;
  /** Human engagement only: machine opens and clicks (proxies, scanners) decide nothing. */
  openedAt: Date | null;
  clickedAt: Date | null;
  /** A reply that was not automatic. */
  repliedAt: Date | null;
}

/** Where an enrollment stands: a step of its version, reached at `enteredAt`. */
export interface Position {
  version: number;
  stepKey: string;
  enteredAt: Date;
}

export interface EngineContext {
  graph: SequenceGraph;
  /** Business hours in the contact's zone (or the sequence's fallback). */
  calendar: BusinessCalendar;
}

export type Decision =
  /** Hand the EMAIL step over to delivery now (it is business time). */
  | { kind: 'send'; stepKey: string; threadMode: ThreadMode }
  /** The step's email is with delivery; its events move the enrollment on. */
  | { kind: 'await'; stepKey: string }
  /** Nothing to do before `until`. */
  | { kind: 'wait'; stepKey: string; until: Date }
  /** Go to step `to` (entered at `at`); CONDITION says which branch. */
  | { kind: 'move'; from: string; to: string; at: Date; branch?: 'YES' | 'NO' }
  | { kind: 'complete'; at: Date }
  | { kind: 'stop'; reason: 'SEND_FAILED' };

export type Transition = Extract<Decision, { kind: 'move' }>;

/** The one decision for an enrollment at `position`, given the facts known at `now`. */
export function decide(
  ctx: EngineContext,
  position: Position,
  emails: readonly EmailFact[],
  now: Date,
): Decision {
  const step = ctx.graph.steps.get(position.stepKey);
  if (!step) throw new Error(`Step "${position.stepKey}" is not in version ${position.version}`);
  const onward = (to: string | null, at: Date): Decision =>
    to === null ? { kind: 'complete', at } : { kind: 'move', from: step.key, to, at };
  switch (step.type) {
    case 'END':
      return { kind: 'complete', at: position.enteredAt };
    case 'EMAIL': {
      const own = emails.find((e) => e.version === position.version && e.stepKey === step.key);
      if (!own) {
        if (isBusinessTime(now, ctx.calendar))
          return { kind: 'send', stepKey: step.key, threadMode: step.threadMode };
        return { kind: 'wait', stepKey: step.key, until: nextBusinessMoment(now, ctx.calendar) };
      }
      if (own.status === 'HANDED_OVER') return { kind: 'await', stepKey: step.key };
      if (own.status === 'SENT') return onward(step.next, own.sentAt ?? position.enteredAt);
      return { kind: 'stop', reason: 'SEND_FAILED' };
    }
    case 'WAIT': {
      const until = addDuration(position.enteredAt, step.amount, step.unit, ctx.calendar);
      return now >= until ? onward(step.next, until) : { kind: 'wait', stepKey: step.key, until };
    }
    case 'CONDITION': {
      const windowEnd = addDuration(position.enteredAt, step.amount, step.unit, ctx.calendar);
      const happened = engagementAt(lastSent(emails), step.condition);
      if (happened && happened <= now) {
        const at = new Date(Math.max(happened.getTime(), position.enteredAt.getTime()));
        return { kind: 'move', from: step.key, to: step.yes, at, branch: 'YES' };
      }
      if (now >= windowEnd) return { kind: 'move', from: step.key, to: step.no, at: windowEnd, branch: 'NO' };
      return { kind: 'wait', stepKey: step.key, until: windowEnd };
    }
  }
}

/** A CONDITION asks about the email sent last before it. */
function lastSent(emails: readonly EmailFact[]): EmailFact | undefined {
  let last: EmailFact | undefined;
  for (const e of emails) if (e.sentAt && (!last || e.sentAt > last.sentAt!)) last = e;
  return last;
}

function engagementAt(email: EmailFact | undefined, condition: ConditionKind): Date | null {
  if (!email) return null;
  return condition === 'OPENED'
    ? email.openedAt
    : condition === 'CLICKED'
      ? email.clickedAt
      : email.repliedAt;
}

/** Moves a single call may make: a loop through a WAIT catching up on a long pause stops here and resumes later. */
const MAX_MOVES = 500;

/**
 * Follows `decide` through every move that is due at `now` and returns where the enrollment ends up
 * and what it must do there (send, await, wait, complete or stop), with the moves made on the way.
 */
export function advance(
  ctx: EngineContext,
  position: Position,
  emails: readonly EmailFact[],
  now: Date,
): { position: Position; moves: Transition[]; decision: Exclude<Decision, Transition> } {
  const moves: Transition[] = [];
  let at = position;
  for (let i = 0; i < MAX_MOVES; i++) {
    const d = decide(ctx, at, emails, now);
    if (d.kind !== 'move') return { position: at, moves, decision: d };
    moves.push(d);
    at = { version: at.version, stepKey: d.to, enteredAt: d.at };
  }
  return { position: at, moves, decision: { kind: 'wait', stepKey: at.stepKey, until: now } };
}
