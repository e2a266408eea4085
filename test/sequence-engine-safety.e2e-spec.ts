import { signUpWithOrg } from './factories/accounts.js';
import { sandboxMailbox, waitFor } from './factories/campaigns.js';
import {
  activate,
  contactsInZones,
  createSequence,
  emailStep,
  ENROLL,
  UPDATE_SEQUENCE,
} from './factories/sequences.js';
import { deliverQueued, driveUntil } from './support/drive-sequences.js';
import { GraphQLClient } from './support/graphql-client.js';
import { ManualClock } from './support/manual-clock.js';
import { startSequenceApp, type SequenceTestApp } from './support/sequence-app.js';
import { EnrollmentStepper, type LockedEnrollment } from '../src/sequences/engine/enrollment-stepper.js';
import { LOCKED_ENROLLMENT_COLUMNS } from '../src/sequences/engine/sequence-engine.js';

const MOVE = `mutation($i: MoveEnrollmentsInput!) { moveEnrollments(input: $i) { moved fromVersion toVersion } }`;
const twoEmails = () => [
  emailStep('intro', { threadMode: 'NEW_THREAD' }),
  { key: 'wait', type: 'WAIT', waitAmount: 2, waitUnit: 'BUSINESS_DAYS' },
  emailStep('follow'),
];

/** What must hold whatever runs concurrently or changes under the engine. */
describe('sequence engine safety', () => {
  const clock = new ManualClock('2027-04-06T08:00:00Z'); // Tuesday, 10:00 in Paris
  let a: SequenceTestApp;
  let me: GraphQLClient;
  let mailbox: { id: string };

  beforeAll(async () => {
    a = await startSequenceApp(clock);
    const account = await signUpWithOrg(new GraphQLClient(a.url), 'safety');
    me = new GraphQLClient(a.url, { token: account.token, org: account.org });
    mailbox = await sandboxMailbox(me, 'safe');
  });
  afterAll(() => a.close());

  const newSequence = async (steps: unknown[] = twoEmails()) => {
    const s = await createSequence(me, [mailbox.id], { timezone: 'Europe/Paris', steps });
    await activate(me, s.id);
    return s.id;
  };
  const enrollList = async (sequenceId: string, count: number, prefix: string) => {
    const { listId, contacts } = await contactsInZones(me, count, [null], prefix);
    await me.ok(ENROLL, { i: { sequenceId, listIds: [listId] } });
    return contacts;
  };
  /** The step keys each enrollment was handed, in the order delivery received them. */
  const keysByEnrollment = async (sequenceId: string) => {
    const rows = await a.prisma.db.stepExecution.findMany({ where: { sequenceId } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const map = new Map<string, string[]>();
    for (const m of a.delivery.messages.filter((x) => x.groupId === sequenceId)) {
      const r = byId.get(m.sourceRef)!;
      map.set(r.enrollmentId, [...(map.get(r.enrollmentId) ?? []), r.stepKey]);
    }
    return map;
  };

  it('hands each due step over once when two engine processes claim at the same time', async () => {
    const b = await startSequenceApp(clock, { databaseUrl: a.config.databaseUrl });
    try {
      const sequenceId = await newSequence();
      await enrollList(sequenceId, 300, 'race-');
      const runs = await Promise.all([
        a.engine.runDue(25),
        b.engine.runDue(25),
        a.engine.runDue(25),
        b.engine.runDue(25),
      ]);
      expect(runs.reduce((n, r) => n + r.handedOver, 0)).toBe(300);
      const handed = [...a.delivery.messages, ...b.delivery.messages].filter((m) => m.groupId === sequenceId);
      expect(handed).toHaveLength(300);
      expect(new Set(handed.map((m) => m.contactId)).size).toBe(300);
      // Nothing is left to claim, and claiming again hands nothing over.
      expect((await a.engine.runDue()).handedOver + (await b.engine.runDue()).handedOver).toBe(0);
      expect(await a.prisma.db.stepExecution.count({ where: { sequenceId } })).toBe(300);
    } finally {
      await b.close();
    }
  });

  it('never hands a step over twice even when two transactions act on one enrollment without the claim lock', async () => {
    const sequenceId = await newSequence();
    await enrollList(sequenceId, 1, 'nolock-');
    const stepper = a.app.get(EnrollmentStepper);
    const [snapshot] = await a.prisma.db.$queryRaw<LockedEnrollment[]>`
      SELECT ${LOCKED_ENROLLMENT_COLUMNS} FROM "SequenceEnrollment" e JOIN "Contact" c ON c.id = e."contactId"
      WHERE e."sequenceId" = ${sequenceId}::uuid`;
    const results = await Promise.all(
      [0, 1].map(() => a.prisma.transaction((tx) => stepper.step(tx, [snapshot], clock.now()))),
    );
    expect(results.map((r) => r.handedOver).sort()).toEqual([0, 1]);
    expect(a.delivery.messages.filter((m) => m.groupId === sequenceId)).toHaveLength(1);
  });

  it('hands nothing over while the sequence or the enrollment is paused, and goes on after resume', async () => {
    clock.set('2027-04-13T08:00:00Z'); // Tuesday
    const sequenceId = await newSequence();
    const contacts = await enrollList(sequenceId, 3, 'pause-');
    await driveUntil(a, new Date('2027-04-13T09:00:00Z'));
    const held = await a.prisma.db.sequenceEnrollment.findFirstOrThrow({
      where: { sequenceId, contactId: contacts[0].id },
    });
    await me.ok(`mutation($id: ID!) { pauseEnrollment(id: $id) { status } }`, { id: held.id });
    await me.ok(`mutation($id: ID!) { pauseSequence(id: $id) { status } }`, { id: sequenceId });
    // A contact enrolled while the sequence is paused waits with the others.
    const [late] = await enrollList(sequenceId, 1, 'pause-late-');
    const lateEnrollment = await a.prisma.db.sequenceEnrollment.findFirstOrThrow({
      where: { sequenceId, contactId: late.id },
    });
    expect(lateEnrollment).toMatchObject({ status: 'PAUSED', pausedWithSequence: true });
    await driveUntil(a, new Date('2027-04-20T09:00:00Z')); // the follow-ups fell due on Thursday
    expect(a.delivery.messages.filter((m) => m.groupId === sequenceId)).toHaveLength(3);

    await me.ok(`mutation($id: ID!) { resumeSequence(id: $id) { status } }`, { id: sequenceId });
    await driveUntil(a, new Date('2027-04-20T09:01:00Z'));
    // At resume: the two follow-ups that fell due, and the intro of the contact enrolled meanwhile.
    const afterResume = a.delivery.messages.filter((m) => m.groupId === sequenceId).slice(3);
    expect(afterResume.map((m) => m.contactId).sort()).toEqual(
      [contacts[1].id, contacts[2].id, late.id].sort(),
    );
    expect(afterResume.every((m) => m.handedOverAt.toISOString() === '2027-04-20T09:00:00.000Z')).toBe(true);

    // The enrollment paused by hand stayed paused through the sequence's resume.
    expect((await a.prisma.db.sequenceEnrollment.findUniqueOrThrow({ where: { id: held.id } })).status).toBe(
      'PAUSED',
    );
    await me.ok(`mutation($id: ID!) { resumeEnrollment(id: $id) { status } }`, { id: held.id });
    await driveUntil(a, new Date('2027-04-20T10:00:00Z'));
    expect(a.delivery.messages.filter((m) => m.contactId === contacts[0].id)).toHaveLength(2);
  });

  it('keeps enrolled contacts on their version after an edit, and moves them only by an explicit mapping that never resends', async () => {
    clock.set('2027-05-04T08:00:00Z'); // Tuesday
    const sequenceId = await newSequence();
    await enrollList(sequenceId, 6, 'move-');
    await driveUntil(a, new Date('2027-05-04T09:00:00Z')); // intros sent, everyone waits
    // Version 2 inserts a step and shortens the wait.
    await me.ok(UPDATE_SEQUENCE, {
      id: sequenceId,
      i: {
        steps: [
          emailStep('intro', { threadMode: 'NEW_THREAD' }),
          { key: 'wait', type: 'WAIT', waitAmount: 1, waitUnit: 'BUSINESS_DAYS' },
          emailStep('extra'),
          emailStep('follow'),
        ],
      },
    });
    const before = await a.prisma.db.sequenceEnrollment.findMany({ where: { sequenceId } });
    expect(before.map((e) => e.version)).toEqual(Array(6).fill(1));

    const refused = async (mapping: unknown[], field: string, message: RegExp) => {
      const e = await me.error(MOVE, { i: { sequenceId, fromVersion: 1, stepMapping: mapping } });
      expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(e.message).toMatch(message);
    };
    await refused(
      [{ fromStepKey: 'intro', toStepKey: 'intro' }],
      'stepMapping',
      /6 enrollment\(s\) stand at step "wait"/,
    );
    await refused(
      [{ fromStepKey: 'wait', toStepKey: 'intro' }],
      'stepMapping.0.toStepKey',
      /would be sent "intro" again/,
    );
    await refused([{ fromStepKey: 'wait', toStepKey: 'nope' }], 'stepMapping.0.toStepKey', /no step "nope"/);
    expect(
      (await a.prisma.db.sequenceEnrollment.findMany({ where: { sequenceId } })).map((e) => e.version),
    ).toEqual(Array(6).fill(1));

    const moved = await me.ok(MOVE, {
      i: { sequenceId, fromVersion: 1, stepMapping: [{ fromStepKey: 'wait', toStepKey: 'wait' }] },
    });
    expect(moved.moveEnrollments).toEqual({ moved: 6, fromVersion: 1, toVersion: 2 });
    await driveUntil(a, new Date('2027-05-20T00:00:00Z'));
    for (const keys of (await keysByEnrollment(sequenceId)).values())
      expect(keys).toEqual(['intro', 'extra', 'follow']);
    // The shorter wait counts from when they reached it: "extra" went out one business day after the intro.
    const extra = a.delivery.messages.filter((m) => m.groupId === sequenceId)[6];
    expect(extra.handedOverAt.toISOString()).toBe('2027-05-05T08:00:00.000Z');
  });

  it('archiving stops live enrollments and cancels their emails not yet sent', async () => {
    clock.set('2027-06-01T08:00:00Z'); // Tuesday
    const sequenceId = await newSequence();
    await enrollList(sequenceId, 2, 'archive-');
    await a.engine.runDue();
    const queued = a.delivery.messages.filter((m) => m.groupId === sequenceId);
    expect(queued.map((m) => m.state)).toEqual(['QUEUED', 'QUEUED']);
    await me.ok(`mutation($id: ID!) { archiveSequence(id: $id) { status } }`, { id: sequenceId });
    expect(queued.map((m) => m.state)).toEqual(['CANCELLED', 'CANCELLED']);
    const enrollments = await a.prisma.db.sequenceEnrollment.findMany({ where: { sequenceId } });
    expect(enrollments.map((e) => [e.status, e.stopReason])).toEqual([
      ['STOPPED', 'ARCHIVED'],
      ['STOPPED', 'ARCHIVED'],
    ]);
    expect(await deliverQueued(a)).toBe(0);
  });

  it('runs due steps on its own in a scheduler process (the tick safety net)', async () => {
    const ticking = await startSequenceApp(clock, { databaseUrl: a.config.databaseUrl, runnerTickMs: 200 });
    try {
      clock.set('2027-06-08T08:00:00Z');
      const sequenceId = await newSequence();
      await enrollList(sequenceId, 2, 'tick-');
      await waitFor(
        async () => ticking.delivery.messages.filter((m) => m.groupId === sequenceId).length,
        (n) => n === 2,
        15_000,
      );
    } finally {
      await ticking.close();
    }
  });
});
