import type { Prisma, Sequence, SequenceStep } from '../generated/prisma/client.js';
import type { BusinessCalendar } from './core/business-time.js';
import { zoneFor } from './core/business-time.js';
import { buildGraph, type GraphStep, type SequenceGraph, type StepSpec } from './core/graph.js';
import type { StopRules } from './core/stop-rules.js';

/**
 * Between stored rows and the core's shapes. Rows keep each step's successors resolved (the list
 * order default applied): `nextStepKey` is the next step (the yes branch of a CONDITION), null when
 * the sequence ends there; `elseStepKey` a CONDITION's no branch.
 */

/** Rows for a validated step list (without version ids). */
export function stepRows(specs: readonly StepSpec[]) {
  const graph = buildGraph(specs);
  return specs.map((s, position) => {
    const step = graph.steps.get(s.key)!;
    const base = { key: s.key, position, type: s.type };
    switch (step.type) {
      case 'EMAIL':
        return {
          ...base,
          subject: step.subject,
          htmlBody: step.htmlBody,
          textBody: step.textBody,
          threadMode: step.threadMode,
          nextStepKey: step.next,
        };
      case 'WAIT':
        return { ...base, amount: step.amount, unit: step.unit, nextStepKey: step.next };
      case 'CONDITION':
        return {
          ...base,
          condition: step.condition,
          amount: step.amount,
          unit: step.unit,
          nextStepKey: step.yes,
          elseStepKey: step.no,
        };
      case 'END':
        return base;
    }
  }) satisfies Omit<Prisma.SequenceStepCreateManyInput, 'versionId' | 'sequenceId'>[];
}

type Row = Pick<
  SequenceStep,
  | 'key'
  | 'type'
  | 'subject'
  | 'htmlBody'
  | 'textBody'
  | 'threadMode'
  | 'amount'
  | 'unit'
  | 'condition'
  | 'nextStepKey'
  | 'elseStepKey'
>;

function graphStep(r: Row): GraphStep {
  switch (r.type) {
    case 'EMAIL':
      return {
        key: r.key,
        type: 'EMAIL',
        subject: r.subject ?? '',
        htmlBody: r.htmlBody ?? '',
        textBody: r.textBody,
        threadMode: r.threadMode ?? 'SAME_THREAD',
        next: r.nextStepKey,
      };
    case 'WAIT':
      return {
        key: r.key,
        type: 'WAIT',
        amount: r.amount ?? 0,
        unit: r.unit ?? 'MINUTES',
        next: r.nextStepKey,
      };
    case 'CONDITION':
      return {
        key: r.key,
        type: 'CONDITION',
        condition: r.condition ?? 'OPENED',
        amount: r.amount ?? 0,
        unit: r.unit ?? 'MINUTES',
        yes: r.nextStepKey ?? '',
        no: r.elseStepKey ?? '',
      };
    case 'END':
      return { key: r.key, type: 'END' };
  }
}

export function graphFromRows(entry: string, rows: readonly Row[]): SequenceGraph {
  return { entry, steps: new Map(rows.map((r) => [r.key, graphStep(r)])) };
}

/** A stored step as the API shows it (and as updateSequence takes it back). */
export function stepView(r: Row & Pick<SequenceStep, 'id' | 'position'>) {
  const isCondition = r.type === 'CONDITION';
  return {
    id: r.id,
    key: r.key,
    position: r.position,
    type: r.type,
    subject: r.subject,
    htmlBody: r.htmlBody,
    textBody: r.textBody,
    threadMode: r.threadMode,
    waitAmount: r.type === 'WAIT' ? r.amount : null,
    waitUnit: r.type === 'WAIT' ? r.unit : null,
    condition: r.condition,
    windowAmount: isCondition ? r.amount : null,
    windowUnit: isCondition ? r.unit : null,
    nextStepKey: isCondition ? null : r.nextStepKey,
    yesStepKey: isCondition ? r.nextStepKey : null,
    noStepKey: isCondition ? r.elseStepKey : null,
  };
}

type Settings = Pick<
  Sequence,
  | 'timezone'
  | 'businessDays'
  | 'businessStartMinute'
  | 'businessEndMinute'
  | 'stopOnReply'
  | 'stopOnAutoReply'
  | 'stopOnDomainReply'
  | 'stopOnBounce'
  | 'stopOnUnsubscribe'
>;

/** Business hours in the contact's zone, or the sequence's when the contact has none. */
export const calendarOf = (s: Settings, contactZone: string | null): BusinessCalendar => ({
  zone: zoneFor(contactZone, s.timezone),
  days: s.businessDays,
  startMinute: s.businessStartMinute,
  endMinute: s.businessEndMinute,
});

export const rulesOf = (s: Settings): StopRules => ({
  onReply: s.stopOnReply,
  onAutoReply: s.stopOnAutoReply,
  onDomainReply: s.stopOnDomainReply,
  onBounce: s.stopOnBounce,
  onUnsubscribe: s.stopOnUnsubscribe,
});
