import { DateTime } from 'luxon';
import { signUpWithOrg } from './factories/accounts.js';
import { sandboxMailbox } from './factories/campaigns.js';
import { activate, clickedSteps, contactsInZones, createSequence, ENROLL } from './factories/sequences.js';
import { deliverQueued, driveUntil } from './support/drive-sequences.js';
import type { RecordedMessage } from './support/fake-sequence-delivery.js';
import { GraphQLClient } from './support/graphql-client.js';
import { ManualClock } from './support/manual-clock.js';
import { startSequenceApp, type SequenceTestApp } from './support/sequence-app.js';

const ZONES = ['America/New_York', 'Europe/Paris', 'Asia/Kolkata', null];
const FALLBACK = 'America/Los_Angeles';
const SIMULATE = `query($id: ID!, $i: SimulateSequenceInput) { simulateSequence(sequenceId: $id, input: $i) {
  outcome emails { stepKey at } } }`;

/** The step engine driven by a manual clock: weeks of schedule in seconds, against real PostgreSQL. */
describe('the sequence step engine', () => {
  const clock = new ManualClock('2026-10-22T06:00:00Z'); // Thursday; Paris leaves DST on Sunday 25 October
  let t: SequenceTestApp;
  let me: GraphQLClient;
  let mailboxes: { id: string }[];

  beforeAll(async () => {
    t = await startSequenceApp(clock);
    const account = await signUpWithOrg(new GraphQLClient(t.url), 'engine');
    me = new GraphQLClient(t.url, { token: account.token, org: account.org });
    mailboxes = [await sandboxMailbox(me, 'eng-a'), await sandboxMailbox(me, 'eng-b')];
  });
  afterAll(() => t.close());

  const messagesOf = (sequenceId: string) => t.delivery.messages.filter((m) => m.groupId === sequenceId);
  const stepKeyOf = async (m: RecordedMessage) =>
    (await t.prisma.db.stepExecution.findUniqueOrThrow({ where: { id: m.sourceRef } })).stepKey;

  it('sends the three emails to contacts in three zones inside their business hours, threaded, from one mailbox each, across both DST changes, as simulateSequence said', async () => {
    const sequence = await createSequence(
      me,
      mailboxes.map((m) => m.id),
      { timezone: FALLBACK },
    );
    await activate(me, sequence.id);
    // Two waves a week apart: the first crosses the Paris change (25 October), the second New York's (1 November).
    const waves: { start: string; contacts: { id: string; timezone: string | null }[] }[] = [];
    for (const start of ['2026-10-22T06:00:00Z', '2026-10-29T06:00:00Z']) {
      await driveUntil(t, new Date(start));
      const { listId, contacts } = await contactsInZones(me, 48, ZONES, `w${waves.length}-`);
      expect(
        (await me.ok(ENROLL, { i: { sequenceId: sequence.id, listIds: [listId] } })).enrollContacts.enrolled,
      ).toBe(48);
      waves.push({ start, contacts });
    }
    await driveUntil(t, new Date('2026-11-30T00:00:00Z'));

    const enrollments = await t.prisma.db.sequenceEnrollment.findMany({ where: { sequenceId: sequence.id } });
    expect(enrollments.map((e) => e.status)).toEqual(Array(96).fill('COMPLETED'));
    const messages = messagesOf(sequence.id);
    expect(messages).toHaveLength(96 * 3);
    expect(new Set(messages.map((m) => m.sourceRef)).size).toBe(96 * 3);

    const simulated = new Map<string, { stepKey: string; at: string }[]>();
    for (const wave of waves) {
      for (const contact of wave.contacts) {
        const zone = contact.timezone ?? FALLBACK;
        const enrollment = enrollments.find((e) => e.contactId === contact.id)!;
        const mine = messages.filter((m) => m.contactId === contact.id);
        const keys = await Promise.all(mine.map(stepKeyOf));
        expect(keys).toEqual(['intro', 'follow-up', 'last']);
        const local = mine.map((m) => DateTime.fromJSDate(m.handedOverAt).setZone(zone));
        for (const l of local) {
          expect(l.weekday).toBeLessThanOrEqual(5);
          expect(l.hour * 60 + l.minute).toBeGreaterThanOrEqual(9 * 60);
          expect(l.hour).toBeLessThan(17);
        }
        // Business days keep the local time of day across the DST change.
        expect(new Set(local.map((l) => l.toFormat('HH:mm'))).size).toBe(1);
        // One mailbox for the whole enrollment; follow-ups reply under the first message.
        expect(new Set(mine.map((m) => m.senderAccountId))).toEqual(new Set([enrollment.senderAccountId]));
        expect(mine[0].thread).toBeNull();
        for (const follow of mine.slice(1))
          expect(follow.thread).toEqual({
            inReplyTo: mine[0].messageIdHeader,
            references: [mine[0].messageIdHeader],
            providerThreadId: `thread-${mine[0].messageId.slice(0, 8)}`,
          });
        expect(enrollment.threadMessageId).toBe(mine[0].messageIdHeader);
        // The dry run for this zone and enrollment time agrees step for step.
        const key = `${zone}|${wave.start}`;
        if (!simulated.has(key)) {
          const r = await me.ok(SIMULATE, { id: sequence.id, i: { timezone: zone, startAt: wave.start } });
          expect(r.simulateSequence.outcome).toBe('COMPLETED');
          simulated.set(key, r.simulateSequence.emails);
        }
        expect(mine.map((m, i) => ({ stepKey: keys[i], at: m.handedOverAt.toISOString() }))).toEqual(
          simulated.get(key),
        );
      }
    }
    // The Paris wave crossed the change: same 09:00, one hour later in UTC.
    const paris = messages.filter(
      (m) => waves[0].contacts.find((c) => c.id === m.contactId)?.timezone === 'Europe/Paris',
    );
    expect(paris[0].handedOverAt.toISOString()).toBe('2026-10-22T07:00:00.000Z');
    expect(
      paris.find((m) => m.handedOverAt.toISOString().startsWith('2026-10-26'))!.handedOverAt.toISOString(),
    ).toBe('2026-10-26T08:00:00.000Z');
    // The New York wave crossed its change: 09:00 EDT on Thursday, 09:00 EST on Monday.
    const newYorker = waves[1].contacts.find((c) => c.timezone === 'America/New_York')!;
    expect(
      messages.filter((m) => m.contactId === newYorker.id).map((m) => m.handedOverAt.toISOString()),
    ).toEqual(['2026-10-29T13:00:00.000Z', '2026-11-02T14:00:00.000Z', '2026-11-05T14:00:00.000Z']);
    // The first wave is split evenly; the second balances what each mailbox still carries.
    const first = enrollments.filter((e) => waves[0].contacts.some((c) => c.id === e.contactId));
    expect(first.filter((e) => e.senderAccountId === mailboxes[0].id)).toHaveLength(24);
    for (const mb of mailboxes)
      expect(enrollments.filter((e) => e.senderAccountId === mb.id).length).toBeGreaterThanOrEqual(40);

    const { sequenceAnalytics: a } = await me.ok(
      `query($id: ID!) { sequenceAnalytics(sequenceId: $id) { enrolled completed sent replyRate steps { stepKey sent entered } } }`,
      { id: sequence.id },
    );
    expect(a).toMatchObject({ enrolled: 96, completed: 96, sent: 288, replyRate: 0 });
    expect(a.steps.find((s: any) => s.stepKey === 'last')).toEqual({
      stepKey: 'last',
      sent: 96,
      entered: 96,
    });
  });

  it('stops every contact who replies after the first email: no later step, the reply on the timeline, the reply rate in analytics', async () => {
    clock.set('2026-12-01T08:00:00Z'); // Tuesday
    const sequence = await createSequence(me, [mailboxes[0].id], { timezone: 'Europe/Paris' });
    await activate(me, sequence.id);
    const { listId, contacts } = await contactsInZones(me, 40, [null], 'reply-');
    await me.ok(ENROLL, { i: { sequenceId: sequence.id, listIds: [listId] } });
    await driveUntil(t, new Date('2026-12-01T10:00:00Z')); // the intros went out at 09:00 Paris
    expect(messagesOf(sequence.id)).toHaveLength(40);

    const repliers = contacts.slice(0, 20).map((c) => c.id);
    clock.set('2026-12-01T11:00:00Z');
    const intros = messagesOf(sequence.id);
    await t.report(
      intros
        .filter((m) => repliers.includes(m.contactId!))
        .map((m) => t.delivery.event(m, 'replied', clock.now())),
    );
    // An out-of-office does not stop anyone.
    const outOfOffice = intros.find((m) => m.contactId === contacts[20].id)!;
    await t.report([t.delivery.event(outOfOffice, 'replied', clock.now(), { automatic: true })]);

    await driveUntil(t, new Date('2027-01-15T00:00:00Z'));
    const after = messagesOf(sequence.id).filter((m) => m.handedOverAt > intros[0].handedOverAt);
    expect(after.filter((m) => repliers.includes(m.contactId!))).toEqual([]);
    expect(after).toHaveLength(20 * 2);

    const stopped = await me.ok(
      `query($s: ID!) { enrollments(sequenceId: $s, status: STOPPED, first: 50) { totalCount edges { node { contactId stopReason repliedAt timeline { type at } } } } }`,
      { s: sequence.id },
    );
    expect(stopped.enrollments.totalCount).toBe(20);
    for (const { node } of stopped.enrollments.edges) {
      expect(repliers).toContain(node.contactId);
      expect(node.stopReason).toBe('REPLIED');
      expect(node.repliedAt).toBe('2026-12-01T11:00:00.000Z');
      expect(node.timeline.map((e: any) => e.type)).toEqual([
        'ENROLLED',
        'EMAIL_HANDED_OVER',
        'EMAIL_SENT',
        'STEP_ENTERED',
        'REPLIED',
        'STOPPED',
      ]);
    }
    const { sequenceAnalytics: a } = await me.ok(
      `query($id: ID!) { sequenceAnalytics(sequenceId: $id) { replied stopped completed replyRate steps { stepKey replied autoReplied } } }`,
      { id: sequence.id },
    );
    expect(a).toMatchObject({ replied: 20, stopped: 20, completed: 20, replyRate: 50 });
    expect(a.steps.find((s: any) => s.stepKey === 'intro')).toEqual({
      stepKey: 'intro',
      replied: 20,
      autoReplied: 1,
    });
  });

  it('cancels a follow-up already with delivery when the reply comes first', async () => {
    clock.set('2027-02-01T08:00:00Z'); // Monday
    const sequence = await createSequence(me, [mailboxes[0].id], { timezone: 'Europe/Paris' });
    await activate(me, sequence.id);
    const { contacts } = await contactsInZones(me, 1, [null], 'late-reply-');
    await me.ok(ENROLL, { i: { sequenceId: sequence.id, contactIds: [contacts[0].id] } });
    await driveUntil(t, new Date('2027-02-03T07:59:00Z'));
    // The follow-up is handed over on Wednesday 09:00 Paris, and delivery has not sent it yet.
    clock.set('2027-02-03T08:00:00Z');
    await t.engine.runDue();
    const [intro, followUp] = messagesOf(sequence.id);
    expect(followUp).toMatchObject({ state: 'QUEUED' });
    await t.report([t.delivery.event(intro, 'replied', clock.now())]);
    expect(followUp.state).toBe('CANCELLED');
    await t.report([t.delivery.event(followUp, 'cancelled', clock.now())]);
    const enrollment = await t.prisma.db.sequenceEnrollment.findFirstOrThrow({
      where: { sequenceId: sequence.id },
    });
    expect(enrollment).toMatchObject({ status: 'STOPPED', stopReason: 'REPLIED' });
    expect(
      (await t.prisma.db.stepExecution.findUniqueOrThrow({ where: { id: followUp.sourceRef } })).status,
    ).toBe('CANCELLED');
  });

  it('takes a CONDITION yes branch in the transaction that records the click, and the no branch when the window ends', async () => {
    clock.set('2027-03-02T08:00:00Z'); // Tuesday, 09:00 in Paris
    const sequence = await createSequence(me, [mailboxes[1].id], {
      timezone: 'Europe/Paris',
      steps: clickedSteps(),
    });
    await activate(me, sequence.id);
    const { contacts } = await contactsInZones(me, 3, [null], 'click-');
    const [clicker, scanned, quiet] = contacts;
    await me.ok(ENROLL, { i: { sequenceId: sequence.id, contactIds: contacts.map((c) => c.id) } });
    await t.engine.runDue();
    await deliverQueued(t);
    const intro = (id: string) => messagesOf(sequence.id).find((m) => m.contactId === id)!;

    clock.set('2027-03-02T09:00:00Z');
    await t.report([t.delivery.event(intro(clicker.id), 'clicked', clock.now())]);
    await t.report([t.delivery.event(intro(scanned.id), 'clicked', clock.now(), { machine: true })]);
    // No engine run in between: the handler moved the clicker on and handed "thanks" over itself.
    const thanks = messagesOf(sequence.id).filter((m) => m.contactId === clicker.id);
    expect(await Promise.all(thanks.map(stepKeyOf))).toEqual(['intro', 'thanks']);
    expect(thanks[1].handedOverAt.toISOString()).toBe('2027-03-02T09:00:00.000Z');

    await driveUntil(t, new Date('2027-03-04T07:59:00Z'));
    expect(messagesOf(sequence.id).filter((m) => m.contactId !== clicker.id)).toHaveLength(2);
    await driveUntil(t, new Date('2027-03-04T08:00:00Z')); // two business days after the intro
    for (const id of [scanned.id, quiet.id]) {
      const mine = messagesOf(sequence.id).filter((m) => m.contactId === id);
      expect(await Promise.all(mine.map(stepKeyOf))).toEqual(['intro', 'nudge']);
      expect(mine[1].handedOverAt.toISOString()).toBe('2027-03-04T08:00:00.000Z');
    }
    const { sequenceAnalytics: a } = await me.ok(
      `query($id: ID!) { sequenceAnalytics(sequenceId: $id) { clicked steps { stepKey yes no } } }`,
      { id: sequence.id },
    );
    expect(a.clicked).toBe(1);
    expect(a.steps.find((s: any) => s.stepKey === 'clicked')).toEqual({ stepKey: 'clicked', yes: 1, no: 2 });
  });

  it('stops on a bounce and an unsubscribe, and on a reply from anyone at the company when asked (not at a personal mail provider)', async () => {
    clock.set('2027-04-06T08:00:00Z'); // Tuesday
    const sequence = await createSequence(me, [mailboxes[0].id], {
      timezone: 'Europe/Paris',
      stopOnDomainReply: true,
    });
    await activate(me, sequence.id);
    const { createContactList } = await me.ok(
      `mutation { createContactList(input: { name: "domains" }) { id } }`,
    );
    const emails = [
      'ada@acme.io',
      'bob@acme.io',
      'cy@gmail.com',
      'di@gmail.com',
      'ed@bounce.io',
      'fa@unsub.io',
      'gu@acme.io',
    ];
    await me.ok(`mutation($i: AddContactsInput!) { addContacts(input: $i) { added } }`, {
      i: { listId: createContactList.id, contacts: emails.map((email) => ({ email })) },
    });
    await me.ok(ENROLL, { i: { sequenceId: sequence.id, listIds: [createContactList.id] } });
    await t.engine.runDue();
    await deliverQueued(t);
    const rows = await t.prisma.db.sequenceEnrollment.findMany({
      where: { sequenceId: sequence.id },
      include: { contact: true },
    });
    const byEmail = (email: string) => rows.find((r) => r.contact.email === email)!;
    const intro = (email: string) =>
      messagesOf(sequence.id).find((m) => m.contactId === byEmail(email).contactId)!;
    // gu@acme.io is paused: a company reply stops it too.
    await me.ok(`mutation($id: ID!) { pauseEnrollment(id: $id) { status } }`, {
      id: byEmail('gu@acme.io').id,
    });

    clock.set('2027-04-06T09:00:00Z');
    await t.report([
      t.delivery.event(intro('ada@acme.io'), 'replied', clock.now()),
      t.delivery.event(intro('cy@gmail.com'), 'replied', clock.now()),
      t.delivery.event(intro('ed@bounce.io'), 'bounced', clock.now(), { hard: true }),
      t.delivery.event(intro('fa@unsub.io'), 'unsubscribed', clock.now()),
    ]);
    const after = await t.prisma.db.sequenceEnrollment.findMany({
      where: { sequenceId: sequence.id },
      include: { contact: true },
    });
    const state = Object.fromEntries(after.map((e) => [e.contact.email, [e.status, e.stopReason]]));
    expect(state).toEqual({
      'ada@acme.io': ['STOPPED', 'REPLIED'],
      'bob@acme.io': ['STOPPED', 'DOMAIN_REPLIED'],
      'gu@acme.io': ['STOPPED', 'DOMAIN_REPLIED'],
      'cy@gmail.com': ['STOPPED', 'REPLIED'],
      'di@gmail.com': ['ACTIVE', null],
      'ed@bounce.io': ['STOPPED', 'BOUNCED'],
      'fa@unsub.io': ['STOPPED', 'UNSUBSCRIBED'],
    });
    const { sequenceAnalytics: a } = await me.ok(
      `query($id: ID!) { sequenceAnalytics(sequenceId: $id) { replied bounced unsubscribed stopped active paused } }`,
      { id: sequence.id },
    );
    expect(a).toEqual({ replied: 2, bounced: 1, unsubscribed: 1, stopped: 6, active: 1, paused: 0 });
  });
});
