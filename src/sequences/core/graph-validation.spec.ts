import { buildGraph, reachableFrom, type StepSpec } from './graph.js';
import { validateSteps } from './graph-validation.js';

const email = (key: string, extra: Partial<StepSpec> = {}): StepSpec => ({
  key,
  type: 'EMAIL',
  subject: 'Hi {{ contact.firstName | default: "there" }}',
  htmlBody: '<p>From {{ sender.name }} about {{ sequence.name }}</p>',
  ...extra,
});
const wait = (key: string, extra: Partial<StepSpec> = {}): StepSpec => ({
  key,
  type: 'WAIT',
  waitAmount: 2,
  waitUnit: 'BUSINESS_DAYS',
  ...extra,
});
const condition = (key: string, yes: string, no: string, extra: Partial<StepSpec> = {}): StepSpec => ({
  key,
  type: 'CONDITION',
  condition: 'OPENED',
  windowAmount: 1,
  windowUnit: 'BUSINESS_DAYS',
  yesStepKey: yes,
  noStepKey: no,
  ...extra,
});
const end = (key: string): StepSpec => ({ key, type: 'END' });

/** The sequence: email → wait → replied? → follow-up in the thread → wait → last email. */
const threeEmails: StepSpec[] = [
  email('intro', { threadMode: 'NEW_THREAD' }),
  wait('wait-1'),
  condition('replied', 'done', 'follow-up', { condition: 'REPLIED', windowAmount: 0 }),
  email('follow-up', { threadMode: 'SAME_THREAD' }),
  wait('wait-2', { waitAmount: 3 }),
  email('last', { nextStepKey: 'done' }),
  end('done'),
];

describe('validateSteps', () => {
  it('accepts a branching sequence and builds its graph with list order as the default next step', () => {
    expect(validateSteps(threeEmails)).toEqual([]);
    const graph = buildGraph(threeEmails);
    expect(graph.entry).toBe('intro');
    expect(graph.steps.get('intro')).toMatchObject({
      type: 'EMAIL',
      next: 'wait-1',
      threadMode: 'NEW_THREAD',
    });
    expect(graph.steps.get('follow-up')).toMatchObject({ next: 'wait-2' });
    expect(graph.steps.get('replied')).toMatchObject({ yes: 'done', no: 'follow-up', amount: 0 });
    expect([...reachableFrom(graph, 'wait-2')].sort()).toEqual(['done', 'last', 'wait-2']);
  });

  it('ends after the last step when it is an EMAIL', () => {
    expect(validateSteps([email('only')])).toEqual([]);
    expect(buildGraph([email('only')]).steps.get('only')).toMatchObject({ next: null });
  });

  it.each([
    ['no steps', [], 'steps', /at least one step/],
    ['no email', [wait('w', { nextStepKey: 'e' }), end('e')], 'steps', /at least one EMAIL/],
    ['a bad key', [email('has space')], 'steps.0.key', /letters, digits/],
    ['a duplicate key', [email('a'), email('a')], 'steps.1.key', /already has the key "a"/],
    [
      'a WAIT without amount',
      [email('a'), wait('w', { waitAmount: null }), email('b')],
      'steps.1.waitAmount',
      /needs waitAmount/,
    ],
    [
      'a zero wait',
      [email('a'), wait('w', { waitAmount: 0 }), email('b')],
      'steps.1.waitAmount',
      /from 1 to 260 BUSINESS_DAYS/,
    ],
    [
      'a wait over a year',
      [email('a'), wait('w', { waitAmount: 9000, waitUnit: 'HOURS' }), email('b')],
      'steps.1.waitAmount',
      /8760 HOURS/,
    ],
    [
      'a field of another type',
      [email('a', { waitAmount: 3 })],
      'steps.0.waitAmount',
      /EMAIL step has no waitAmount/,
    ],
    ['an email without subject', [email('a', { subject: '' })], 'steps.0.subject', /needs subject/],
    [
      'an unknown variable',
      [email('a', { htmlBody: '{{ campaign.name }}' })],
      'steps.0.htmlBody',
      /Unknown variable "campaign.name"/,
    ],
    ['a template syntax error', [email('a', { subject: '{% if x %}' })], 'steps.0.subject', /syntax error/],
    [
      'an unknown next step',
      [email('a', { nextStepKey: 'nope' })],
      'steps.0.nextStepKey',
      /No step has the key "nope"/,
    ],
    ['a trailing WAIT', [email('a'), wait('w')], 'steps.1.nextStepKey', /must be followed/],
    [
      'a condition without no branch',
      [email('a'), condition('c', 'a', ''), end('e')],
      'steps.1.noStepKey',
      /needs noStepKey/,
    ],
  ])('rejects %s, naming the field', (_label, steps, field, message) => {
    const [first] = validateSteps(steps);
    expect(first.field).toBe(field);
    expect(first.message).toMatch(message);
  });

  it('rejects a step that cannot be reached', () => {
    expect(validateSteps([email('a', { nextStepKey: 'z' }), email('lost'), end('z')])).toEqual([
      { field: 'steps.1.key', message: 'Step "lost" cannot be reached from the first step' },
    ]);
  });

  it('rejects a loop without a WAIT, blaming the edge that closes it', () => {
    const steps = [email('a'), condition('c1', 'e', 'c2'), condition('c2', 'e', 'c1'), end('e')];
    expect(validateSteps(steps)).toEqual([
      { field: 'steps.2.noStepKey', message: 'Steps "c1", "c2" loop without a WAIT' },
    ]);
  });

  it('accepts a loop through a WAIT that can end, but never an EMAIL on a loop', () => {
    const polling = [
      email('a'),
      wait('w', { waitAmount: 1 }),
      condition('c', 'e', 'w', { windowAmount: 0 }),
      end('e'),
    ];
    expect(validateSteps(polling)).toEqual([]);
    const resend = [email('a'), wait('w', { nextStepKey: 'a' })];
    expect(validateSteps(resend)).toEqual([
      { field: 'steps.1.nextStepKey', message: 'EMAIL step "a" is on a loop: a step is never sent twice' },
    ]);
  });

  it('rejects a branch that never ends', () => {
    const forever = [
      email('a'),
      condition('c', 'w1', 'e'),
      wait('w1', { nextStepKey: 'w2' }),
      wait('w2', { nextStepKey: 'w1' }),
      end('e'),
    ];
    const problems = validateSteps(forever);
    expect(problems.map((p) => p.field)).toEqual(['steps.2.key', 'steps.3.key']);
    expect(problems[0].message).toBe('Step "w1" never reaches an END or a last step');
  });

  it('rejects a CONDITION that can be reached before any email', () => {
    const steps = [wait('w', { waitAmount: 1 }), condition('c', 'e', 'm'), email('m'), end('e')];
    expect(validateSteps(steps)).toEqual([
      { field: 'steps.1.condition', message: 'CONDITION "c" can be reached before any email is sent' },
    ]);
  });
});
