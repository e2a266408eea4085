import type { DurationUnit } from './business-time.js';

export type StepType = 'EMAIL' | 'WAIT' | 'CONDITION' | 'END';
export type ConditionKind = 'OPENED' | 'CLICKED' | 'REPLIED';
export type ThreadMode = 'SAME_THREAD' | 'NEW_THREAD';

/**
 * A step as a user writes it (GraphQL input and stored rows alike). The first step is the entry.
 * EMAIL and WAIT continue at `nextStepKey`, or at the step listed after them when it is omitted
 * (the sequence ends after the last one); CONDITION continues at `yesStepKey` or `noStepKey`.
 */
export interface StepSpec {
  key: string;
  type: StepType;
  subject?: string | null;
  htmlBody?: string | null;
  textBody?: string | null;
  threadMode?: ThreadMode | null;
  waitAmount?: number | null;
  waitUnit?: DurationUnit | null;
  condition?: ConditionKind | null;
  windowAmount?: number | null;
  windowUnit?: DurationUnit | null;
  nextStepKey?: string | null;
  yesStepKey?: string | null;
  noStepKey?: string | null;
}

export interface EmailStep {
  key: string;
  type: 'EMAIL';
  subject: string;
  htmlBody: string;
  textBody: string | null;
  threadMode: ThreadMode;
  next: string | null;
}
export interface WaitStep {
  key: string;
  type: 'WAIT';
  amount: number;
  unit: DurationUnit;
  next: string | null;
}
export interface ConditionStep {
  key: string;
  type: 'CONDITION';
  condition: ConditionKind;
  /** The window, counted from when the enrollment reaches the step; 0 = decide at once. */
  amount: number;
  unit: DurationUnit;
  yes: string;
  no: string;
}
export interface EndStep {
  key: string;
  type: 'END';
}
export type GraphStep = EmailStep | WaitStep | ConditionStep | EndStep;

/** A version's steps as the engine walks them. */
export interface SequenceGraph {
  entry: string;
  steps: ReadonlyMap<string, GraphStep>;
}

/** Where a step goes next, with the list order as the default for EMAIL and WAIT. */
export function successorsOf(
  specs: readonly StepSpec[],
  index: number,
): { field: string; key: string | null }[] {
  const s = specs[index];
  if (s.type === 'END') return [];
  if (s.type === 'CONDITION')
    return [
      { field: 'yesStepKey', key: s.yesStepKey ?? null },
      { field: 'noStepKey', key: s.noStepKey ?? null },
    ];
  return [{ field: 'nextStepKey', key: s.nextStepKey ?? specs[index + 1]?.key ?? null }];
}

/** The graph of validated specs (see validateSteps); defaults resolved. */
export function buildGraph(specs: readonly StepSpec[]): SequenceGraph {
  const steps = new Map<string, GraphStep>();
  specs.forEach((s, i) => {
    const next = successorsOf(specs, i)[0]?.key ?? null;
    switch (s.type) {
      case 'EMAIL':
        steps.set(s.key, {
          key: s.key,
          type: 'EMAIL',
          subject: s.subject ?? '',
          htmlBody: s.htmlBody ?? '',
          textBody: s.textBody ?? null,
          threadMode: s.threadMode ?? 'SAME_THREAD',
          next,
        });
        break;
      case 'WAIT':
        steps.set(s.key, {
          key: s.key,
          type: 'WAIT',
          amount: s.waitAmount ?? 0,
          unit: s.waitUnit ?? 'MINUTES',
          next,
        });
        break;
      case 'CONDITION':
        steps.set(s.key, {
          key: s.key,
          type: 'CONDITION',
          condition: s.condition ?? 'OPENED',
          amount: s.windowAmount ?? 0,
          unit: s.windowUnit ?? 'MINUTES',
          yes: s.yesStepKey ?? '',
          no: s.noStepKey ?? '',
        });
        break;
      case 'END':
        steps.set(s.key, { key: s.key, type: 'END' });
    }
  });
  return { entry: specs[0]?.key ?? '', steps };
}

/** Keys of the steps reachable from `from` (itself included). */
export function reachableFrom(graph: SequenceGraph, from: string): Set<string> {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const key = stack.pop()!;
    const step = graph.steps.get(key);
    if (!step || seen.has(key)) continue;
    seen.add(key);
    stack.push(...nextKeys(step));
  }
  return seen;
}

export function nextKeys(step: GraphStep): string[] {
  switch (step.type) {
    case 'EMAIL':
    case 'WAIT':
      return step.next ? [step.next] : [];
    case 'CONDITION':
      return [step.yes, step.no];
    case 'END':
      return [];
  }
}
