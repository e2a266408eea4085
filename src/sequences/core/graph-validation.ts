import {
  SEQUENCE_VARIABLES,
  TemplateError,
  validateTemplate,
} from '../../common/templates/liquid-templates.js';
import { successorsOf, type StepSpec, type StepType } from './graph.js';

/** A problem with a step graph, naming the field at fault (e.g. `steps.2.waitAmount`). */
export interface GraphProblem {
  field: string;
  message: string;
}

export const MAX_STEPS = 50;
const KEY = /^[A-Za-z0-9][\w-]{0,39}$/;
/** Longest wait or window per unit: one year. */
const MAX_AMOUNT = { MINUTES: 525_600, HOURS: 8_760, BUSINESS_DAYS: 260 } as const;

type Field = keyof StepSpec;
/** The fields each step type may (and, for the first group, must) carry. */
const FIELDS: Record<StepType, { required: Field[]; optional: Field[] }> = {
  EMAIL: { required: ['subject', 'htmlBody'], optional: ['textBody', 'threadMode', 'nextStepKey'] },
  WAIT: { required: ['waitAmount', 'waitUnit'], optional: ['nextStepKey'] },
  CONDITION: {
    required: ['condition', 'windowAmount', 'windowUnit', 'yesStepKey', 'noStepKey'],
    optional: [],
  },
  END: { required: [], optional: [] },
};
const STEP_FIELDS: Field[] = [
  'subject',
  'htmlBody',
  'textBody',
  'threadMode',
  'waitAmount',
  'waitUnit',
  'condition',
  'windowAmount',
  'windowUnit',
  'nextStepKey',
  'yesStepKey',
  'noStepKey',
];

/**
 * Every problem of a step graph, in list order, checked when a sequence is saved: keys, the fields
 * of each step type, amounts, templates, references, then the graph itself: every step reachable
 * from the first, no loop without a WAIT, no EMAIL on a loop (a step is never sent twice), every
 * branch reaches an end, and an email is sent before any CONDITION asks about it.
 */
export function validateSteps(steps: readonly StepSpec[]): GraphProblem[] {
  if (steps.length === 0) return [{ field: 'steps', message: 'A sequence needs at least one step' }];
  if (steps.length > MAX_STEPS)
    return [{ field: 'steps', message: `A sequence has at most ${MAX_STEPS} steps` }];
  const problems = steps.flatMap((s, i) => stepProblems(s, i, steps));
  if (!steps.some((s) => s.type === 'EMAIL'))
    problems.push({ field: 'steps', message: 'A sequence needs at least one EMAIL step' });
  return problems.length ? problems : graphProblems(steps);
}

function stepProblems(s: StepSpec, i: number, all: readonly StepSpec[]): GraphProblem[] {
  const at = (field: string) => `steps.${i}.${field}`;
  const problems: GraphProblem[] = [];
  if (!KEY.test(s.key))
    problems.push({
      field: at('key'),
      message: 'key must be 1 to 40 letters, digits, _ or -, starting with a letter or digit',
    });
  else if (all.findIndex((o) => o.key === s.key) !== i)
    problems.push({ field: at('key'), message: `Another step already has the key "${s.key}"` });
  const allowed = FIELDS[s.type];
  for (const f of allowed.required)
    if (s[f] === undefined || s[f] === null || s[f] === '')
      problems.push({ field: at(f), message: `A ${s.type} step needs ${f}` });
  for (const f of STEP_FIELDS)
    if (s[f] != null && !allowed.required.includes(f) && !allowed.optional.includes(f))
      problems.push({ field: at(f), message: `A ${s.type} step has no ${f}` });
  if (s.type === 'WAIT') problems.push(...amountProblems(s.waitAmount, s.waitUnit, 1, at('waitAmount')));
  if (s.type === 'CONDITION')
    problems.push(...amountProblems(s.windowAmount, s.windowUnit, 0, at('windowAmount')));
  if (s.type === 'EMAIL')
    for (const f of ['subject', 'htmlBody', 'textBody'] as const) {
      const source = s[f];
      if (!source) continue;
      try {
        validateTemplate(source, SEQUENCE_VARIABLES);
      } catch (e) {
        if (!(e instanceof TemplateError)) throw e;
        problems.push({ field: at(f), message: `${f}: ${e.message}` });
      }
    }
  for (const { field, key } of successorsOf(all, i))
    if (key !== null && !all.some((o) => o.key === key))
      problems.push({ field: at(field), message: `No step has the key "${key}"` });
  if (s.type === 'WAIT' && successorsOf(all, i)[0].key === null)
    problems.push({ field: at('nextStepKey'), message: 'A WAIT must be followed by a step' });
  return problems;
}

function amountProblems(
  amount: number | null | undefined,
  unit: keyof typeof MAX_AMOUNT | null | undefined,
  min: number,
  field: string,
) {
  if (amount == null || unit == null) return [];
  if (!Number.isInteger(amount) || amount < min || amount > MAX_AMOUNT[unit])
    return [
      {
        field,
        message: `${field.split('.').at(-1)} must be a whole number from ${min} to ${MAX_AMOUNT[unit]} ${unit}`,
      },
    ];
  return [];
}

/** The graph checks, on steps whose own fields and references are valid. */
function graphProblems(steps: readonly StepSpec[]): GraphProblem[] {
  const index = new Map(steps.map((s, i) => [s.key, i]));
  const edges = steps.map((_, i) =>
    successorsOf(steps, i)
      .filter((e): e is { field: string; key: string } => e.key !== null)
      .map((e) => ({ field: e.field, to: index.get(e.key)! })),
  );
  const problems: GraphProblem[] = [];

  const reached = walk([0], (i) => edges[i].map((e) => e.to));
  steps.forEach((s, i) => {
    if (!reached.has(i))
      problems.push({
        field: `steps.${i}.key`,
        message: `Step "${s.key}" cannot be reached from the first step`,
      });
  });
  if (problems.length) return problems;

  for (const component of cycles(edges)) {
    const members = new Set(component);
    // Blame the edge that closes the loop: from the last member (in list order) back into the loop.
    const last = Math.max(...component);
    const back =
      edges[last].find((e) => members.has(e.to) && e.to <= last) ??
      edges[last].find((e) => members.has(e.to))!;
    const keys = component
      .sort((a, b) => a - b)
      .map((i) => `"${steps[i].key}"`)
      .join(', ');
    const email = component.find((i) => steps[i].type === 'EMAIL');
    if (!component.some((i) => steps[i].type === 'WAIT'))
      problems.push({ field: `steps.${last}.${back.field}`, message: `Steps ${keys} loop without a WAIT` });
    else if (email !== undefined)
      problems.push({
        field: `steps.${last}.${back.field}`,
        message: `EMAIL step "${steps[email].key}" is on a loop: a step is never sent twice`,
      });
  }
  if (problems.length) return problems;

  const terminal = (i: number) => edges[i].length === 0;
  const predecessors = steps.map((_, i) =>
    edges.flatMap((out, from) => (out.some((e) => e.to === i) ? [from] : [])),
  );
  const ending = walk(steps.map((_, i) => i).filter(terminal), (i) => predecessors[i]);
  steps.forEach((s, i) => {
    if (!ending.has(i))
      problems.push({
        field: `steps.${i}.key`,
        message: `Step "${s.key}" never reaches an END or a last step`,
      });
  });

  const beforeAnyEmail = walk([0], (i) => (steps[i].type === 'EMAIL' ? [] : edges[i].map((e) => e.to)));
  steps.forEach((s, i) => {
    if (s.type === 'CONDITION' && beforeAnyEmail.has(i))
      problems.push({
        field: `steps.${i}.condition`,
        message: `CONDITION "${s.key}" can be reached before any email is sent`,
      });
  });
  return problems;
}

function walk(from: number[], next: (i: number) => number[]): Set<number> {
  const seen = new Set<number>();
  const stack = [...from];
  while (stack.length) {
    const i = stack.pop()!;
    if (seen.has(i)) continue;
    seen.add(i);
    stack.push(...next(i));
  }
  return seen;
}

/** The strongly connected components that contain a loop (Tarjan). */
function cycles(edges: { to: number }[][]): number[][] {
  const order: number[] = [];
  const low: number[] = [];
  const onStack = new Set<number>();
  const stack: number[] = [];
  const found: number[][] = [];
  let counter = 0;
  const visit = (v: number) => {
    order[v] = low[v] = counter++;
    stack.push(v);
    onStack.add(v);
    for (const { to } of edges[v]) {
      if (order[to] === undefined) {
        visit(to);
        low[v] = Math.min(low[v], low[to]);
      } else if (onStack.has(to)) low[v] = Math.min(low[v], order[to]);
    }
    if (low[v] !== order[v]) return;
    const component: number[] = [];
    let w: number;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || edges[v].some((e) => e.to === v)) found.push(component);
  };
  edges.forEach((_, v) => {
    if (order[v] === undefined) visit(v);
  });
  return found;
}
