import { advance, type EmailFact, type EngineContext, type Position } from './step-engine.js';
import { stopReasonFor, type StopRules, type StopSignal } from './stop-rules.js';

/** A hypothetical reaction to one email of the sequence, `afterMinutes` after it goes out. */
export interface SimulatedEngagement {
  type: 'OPENED' | 'CLICKED' | 'REPLIED' | 'AUTO_REPLIED' | 'BOUNCED' | 'UNSUBSCRIBED';
  stepKey: string;
  afterMinutes: number;
}

export type SimulationEntryType =
  | 'STEP_ENTERED'
  | 'EMAIL_SENT'
  | 'WAITING'
  | 'BRANCH_YES'
  | 'BRANCH_NO'
  | SimulatedEngagement['type']
  | 'COMPLETED'
  | 'STOPPED';

export interface SimulationEntry {
  at: Date;
  type: SimulationEntryType;
  stepKey: string | null;
  /** WAITING: until when. */
  until?: Date;
  /** STOPPED: why. */
  reason?: string;
}

export interface SimulationResult {
  entries: SimulationEntry[];
  outcome: 'COMPLETED' | 'STOPPED' | 'UNFINISHED';
  stopReason: string | null;
}

export interface SimulationInput {
  ctx: EngineContext;
  version: number;
  rules: StopRules;
  startAt: Date;
  engagements: readonly SimulatedEngagement[];
  /** How far to look (default: two years after startAt). */
  horizon?: Date;
}

const signalOf = (type: SimulatedEngagement['type']): StopSignal | null =>
  type === 'REPLIED' || type === 'AUTO_REPLIED'
    ? { type: 'replied', automatic: type === 'AUTO_REPLIED' }
    : type === 'BOUNCED'
      ? { type: 'bounced' }
      : type === 'UNSUBSCRIBED'
        ? { type: 'unsubscribed' }
        : null;

/**
 * The timeline one contact would follow, computed with the engine's own `advance`: every email goes
 * out when the engine would hand it over (delivery assumed immediate), and each hypothetical
 * engagement is applied when it happens, exactly as the delivery event handler applies real ones.
 */
export function simulate(input: SimulationInput): SimulationResult {
  const { ctx, rules } = input;
  const horizon = input.horizon ?? new Date(input.startAt.getTime() + 2 * 366 * 86_400_000);
  const entries: SimulationEntry[] = [{ at: input.startAt, type: 'STEP_ENTERED', stepKey: ctx.graph.entry }];
  const emails: EmailFact[] = [];
  const pending: { at: Date; engagement: SimulatedEngagement }[] = [];
  let position: Position = { version: input.version, stepKey: ctx.graph.entry, enteredAt: input.startAt };
  let now = input.startAt;

  for (;;) {
    for (const { at, engagement } of takeDue(pending, now)) {
      entries.push({ at, type: engagement.type, stepKey: engagement.stepKey });
      const email = emails.find((e) => e.stepKey === engagement.stepKey)!;
      if (engagement.type === 'OPENED') email.openedAt ??= at;
      if (engagement.type === 'CLICKED') email.clickedAt ??= at;
      if (engagement.type === 'REPLIED') email.repliedAt ??= at;
      const signal = signalOf(engagement.type);
      const reason = signal && stopReasonFor(signal, rules);
      if (reason) {
        entries.push({ at, type: 'STOPPED', stepKey: position.stepKey, reason });
        return { entries, outcome: 'STOPPED', stopReason: reason };
      }
    }
    const step = advance(ctx, position, emails, now);
    for (const move of step.moves) {
      if (move.branch) entries.push({ at: move.at, type: `BRANCH_${move.branch}`, stepKey: move.from });
      entries.push({ at: move.at, type: 'STEP_ENTERED', stepKey: move.to });
    }
    position = step.position;
    const d = step.decision;
    switch (d.kind) {
      case 'send':
        emails.push({
          version: input.version,
          stepKey: d.stepKey,
          status: 'SENT',
          sentAt: now,
          openedAt: null,
          clickedAt: null,
          repliedAt: null,
        });
        entries.push({ at: now, type: 'EMAIL_SENT', stepKey: d.stepKey });
        for (const engagement of input.engagements.filter((e) => e.stepKey === d.stepKey))
          pending.push({ at: new Date(now.getTime() + engagement.afterMinutes * 60_000), engagement });
        continue;
      case 'wait': {
        const next = pending.reduce((min, p) => (p.at < min ? p.at : min), d.until);
        if (next > horizon) return { entries, outcome: 'UNFINISHED', stopReason: null };
        const last = entries.findLast((e) => e.type === 'WAITING');
        if (last?.stepKey !== d.stepKey || last.until?.getTime() !== d.until.getTime())
          entries.push({ at: now, type: 'WAITING', stepKey: d.stepKey, until: d.until });
        now = next;
        continue;
      }
      case 'complete':
        entries.push({ at: d.at, type: 'COMPLETED', stepKey: null });
        return { entries, outcome: 'COMPLETED', stopReason: null };
      case 'stop':
        entries.push({ at: now, type: 'STOPPED', stepKey: position.stepKey, reason: d.reason });
        return { entries, outcome: 'STOPPED', stopReason: d.reason };
      case 'await':
        throw new Error('A simulated email is sent at once');
    }
  }
}

/** Removes and returns the engagements due by `now`, oldest first. */
function takeDue(pending: { at: Date; engagement: SimulatedEngagement }[], now: Date) {
  const due = pending.filter((p) => p.at <= now).sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const d of due) pending.splice(pending.indexOf(d), 1);
  return due;
}
