import { DateTime } from 'luxon';
import { signUpWithOrg } from './factories/accounts.js';
import { sandboxMailbox } from './factories/campaigns.js';
import {
  activate,
  clickedSteps,
  contactsInZones,
  createSequence,
  emailStep,
  ENROLL,
} from './factories/sequences.js';
import { driveWithDelivery } from './support/drive-delivery.js';
import { headerOf } from './support/fake-http.js';
import { GraphQLClient, subscribe } from './support/graphql-client.js';
import { ManualClock } from './support/manual-clock.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ZONES = ['America/New_York', 'Europe/Paris', 'Asia/Kolkata'];
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0';
const unfold = (raw: string) =>
  raw
    .replace(/=\r?\n/g, '')
    .replace(/=3D/g, '=')
    .replace(/\r?\n\s+/g, ' ');

/**
 * Sequences through the real delivery pipeline and SANDBOX mailboxes: what contacts receive
 * (the stored raw messages), when, from which mailbox and in which thread.
 */
describe('sequences over the delivery pipeline', () => {
  const clock = new ManualClock('2026-10-22T05:00:00Z'); // Thursday; Paris leaves DST on Sunday 25 October
  let t: TestApp;
  let me: GraphQLClient;
  let mailboxes: { id: string; email: string }[];

  beforeAll(async () => {
    t = await startTestApp({ runnerTickMs: 600_000 }, 'all', { clock });
    const account = await signUpWithOrg(new GraphQLClient(t.url), 'seqdelivery');
    me = new GraphQLClient(t.url, { token: account.token, org: account.org });
    mailboxes = [await sandboxMailbox(me, 'seq-a'), await sandboxMailbox(me, 'seq-b')];
  });
  afterAll(() => t.close());

  it('sends three emails to 200 contacts in three zones inside their business hours, threaded under the first, from one mailbox each, across a DST change', async () => {
    const sequence = await createSequence(
      me,
      mailboxes.map((m) => m.id),
      { timezone: 'Europe/Paris' },
    );
    await activate(me, sequence.id);
    const { listId, contacts } = await contactsInZones(me, 200, ZONES, 'dst-');
    expect(
      (await me.ok(ENROLL, { i: { sequenceId: sequence.id, listIds: [listId] } })).enrollContacts.enrolled,
    ).toBe(200);
    await driveWithDelivery(t, clock, sequence.id, new Date('2026-11-10T00:00:00Z'));

    const enrollments = await t.prisma.db.sequenceEnrollment.findMany({ where: { sequenceId: sequence.id } });
    expect(enrollments.map((e) => e.status)).toEqual(Array(200).fill('COMPLETED'));
    const sent = await t.prisma.db.outboundMessage.findMany({
      where: { groupId: sequence.id },
      orderBy: { sentAt: 'asc' },
    });
    expect(sent).toHaveLength(600);
    expect(sent.every((m) => m.status === 'SENT')).toBe(true);
    // What recipients got: exactly 600 stored messages, none twice.
    const received = await t.prisma.db.sandboxMessage.findMany({
      where: { senderAccountId: { in: mailboxes.map((m) => m.id) } },
    });
    expect(received).toHaveLength(600);
    const byMessageId = new Map(received.map((r) => [r.messageId, r]));
    expect(byMessageId.size).toBe(600);

    const mailboxEmail = new Map(mailboxes.map((m) => [m.id, m.email]));
    for (const contact of contacts) {
      const zone = contact.timezone!;
      const enrollment = enrollments.find((e) => e.contactId === contact.id)!;
      const mine = sent.filter((m) => m.contactId === contact.id);
      expect(mine).toHaveLength(3);
      for (const m of mine) {
        const local = DateTime.fromJSDate(m.sentAt!).setZone(zone);
        expect(local.weekday).toBeLessThanOrEqual(5);
        expect(local.hour).toBeGreaterThanOrEqual(9);
        expect(local.hour).toBeLessThan(17);
        // Sent from the enrollment's one mailbox, as the recipient sees it.
        const raw = byMessageId.get(m.messageId!)!.raw;
        expect(headerOf(raw, 'From')).toContain(mailboxEmail.get(enrollment.senderAccountId)!);
        expect(headerOf(raw, 'To')).toContain(contact.email);
      }
      const [first, followUp] = mine.map((m) => byMessageId.get(m.messageId!)!.raw);
      expect(headerOf(first, 'In-Reply-To')).toBeUndefined();
      // The follow-up answers the first email in the recipient's mailbox.
      expect(headerOf(followUp, 'In-Reply-To')).toBe(mine[0].messageId);
      expect(headerOf(followUp, 'References')).toContain(mine[0].messageId!);
    }
    // The dry run, for one contact of each zone, said exactly what the engine then did.
    for (const zone of ZONES) {
      const contact = contacts.find((c) => c.timezone === zone)!;
      const { simulateSequence } = await me.ok(
        `query($id: ID!, $i: SimulateSequenceInput) { simulateSequence(sequenceId: $id, input: $i) {
          outcome emails { stepKey at } } }`,
        { id: sequence.id, i: { timezone: zone, startAt: '2026-10-22T05:00:00Z' } },
      );
      const executions = await t.prisma.db.stepExecution.findMany({
        where: { sequenceId: sequence.id, enrollment: { contactId: contact.id } },
        orderBy: { handedOverAt: 'asc' },
      });
      const real = executions.map((x) => ({
        stepKey: x.stepKey,
        at: sent.find((m) => m.id === x.messageId)!.sentAt!.toISOString(),
      }));
      expect(simulateSequence.outcome).toBe('COMPLETED');
      expect(real).toEqual(simulateSequence.emails);
    }
    // Paris contacts crossed the change: 09:00 local before and after it, one hour later in UTC.
    const parisian = contacts.find((c) => c.timezone === 'Europe/Paris')!;
    const times = sent.filter((m) => m.contactId === parisian.id).map((m) => m.sentAt!.toISOString());
    expect(times[0]).toBe('2026-10-22T07:00:00.000Z');
    expect(times[1]).toBe('2026-10-26T08:00:00.000Z');

    const { sequenceProgress } = await me.ok(
      `query($id: ID!) { sequenceProgress(sequenceId: $id) { status analytics { enrolled completed sent } } }`,
      { id: sequence.id },
    );
    expect(sequenceProgress).toEqual({
      status: 'ACTIVE',
      analytics: { enrolled: 200, completed: 200, sent: 600 },
    });
  });

  it('stops every contact who replies to the first email: no later step, the reply on the timeline, the reply rate in analytics', async () => {
    clock.set('2026-12-01T08:00:00Z'); // Tuesday, 09:00 in Paris
    const sequence = await createSequence(me, [mailboxes[0].id], { timezone: 'Europe/Paris' });
    await activate(me, sequence.id);
    const { listId, contacts } = await contactsInZones(me, 40, [null], 'reply-');
    await me.ok(ENROLL, { i: { sequenceId: sequence.id, listIds: [listId] } });
    await driveWithDelivery(t, clock, sequence.id, new Date('2026-12-01T10:00:00Z'));
    const intros = await t.prisma.db.outboundMessage.findMany({ where: { groupId: sequence.id } });
    expect(intros).toHaveLength(40);

    const repliers = new Set(contacts.slice(0, 20).map((c) => c.id));
    clock.set('2026-12-01T11:00:00Z');
    for (const m of intros.filter((m) => repliers.has(m.contactId!)))
      await me.ok(`mutation($id: ID!) { simulateReply(messageId: $id, body: "Not now, thanks") { id } }`, {
        id: m.id,
      });
    await driveWithDelivery(t, clock, sequence.id, new Date('2026-12-20T00:00:00Z'));

    const all = await t.prisma.db.outboundMessage.findMany({ where: { groupId: sequence.id } });
    for (const c of contacts) {
      const received = all.filter((m) => m.contactId === c.id);
      expect(received).toHaveLength(repliers.has(c.id) ? 1 : 3);
    }
    const enrollments = await t.prisma.db.sequenceEnrollment.findMany({
      where: { sequenceId: sequence.id },
      include: { events: { orderBy: { at: 'asc' } } },
    });
    for (const e of enrollments) {
      if (repliers.has(e.contactId)) {
        expect(e).toMatchObject({ status: 'STOPPED', stopReason: 'REPLIED' });
        expect(e.repliedAt!.toISOString()).toBe('2026-12-01T11:00:00.000Z');
        expect(e.events.map((x) => x.type)).toContain('REPLIED');
      } else expect(e.status).toBe('COMPLETED');
    }
    const { sequenceAnalytics } = await me.ok(
      `query($id: ID!) { sequenceAnalytics(sequenceId: $id) { replied stopped completed replyRate } }`,
      { id: sequence.id },
    );
    expect(sequenceAnalytics).toEqual({ replied: 20, stopped: 20, completed: 20, replyRate: 50 });
  });

  it('takes the yes branch of a "clicked" condition as the click is recorded, and the no branch when its window ends', async () => {
    clock.set('2026-12-22T08:00:00Z'); // Tuesday, 09:00 in Paris
    const steps = clickedSteps();
    steps[0] = emailStep('intro', {
      htmlBody: '<p>See <a href="https://example.org/offer">the offer</a></p>',
    });
    const sequence = await createSequence(me, [mailboxes[1].id], {
      timezone: 'Europe/Paris',
      trackClicks: true,
      steps,
    });
    await activate(me, sequence.id);
    const { listId, contacts } = await contactsInZones(me, 10, [null], 'click-');
    await me.ok(ENROLL, { i: { sequenceId: sequence.id, listIds: [listId] } });
    await driveWithDelivery(t, clock, sequence.id, new Date('2026-12-22T10:00:00Z'));
    const intros = await t.prisma.db.outboundMessage.findMany({ where: { groupId: sequence.id } });
    expect(intros).toHaveLength(10);

    clock.set('2026-12-22T12:00:00Z'); // well after delivery: a person, not a link scanner
    const clickers = contacts.slice(0, 5).map((c) => c.id);
    for (const id of clickers) {
      const intro = intros.find((m) => m.contactId === id)!;
      const raw = (
        await t.prisma.db.sandboxMessage.findFirstOrThrow({ where: { messageId: intro.messageId! } })
      ).raw;
      const link = /href="([^"]+\/t\/c\/[^"]+)"/.exec(unfold(raw))![1].replace(/&amp;/g, '&');
      const res = await fetch(link, { redirect: 'manual', headers: { 'user-agent': FIREFOX } });
      expect(res.headers.get('location')).toBe('https://example.org/offer');
      // By the time the redirect is answered, the branch is taken and the next email handed over.
      const next = await t.prisma.db.stepExecution.findMany({
        where: { sequenceId: sequence.id, enrollment: { contactId: id } },
        select: { stepKey: true, handedOverAt: true },
        orderBy: { handedOverAt: 'asc' },
      });
      expect(next.map((x) => x.stepKey)).toEqual(['intro', 'thanks']);
      expect(next[1].handedOverAt.toISOString()).toBe('2026-12-22T12:00:00.000Z');
    }
    // Nobody else has moved before the window (2 business days) ends.
    await driveWithDelivery(t, clock, sequence.id, new Date('2026-12-24T07:59:00Z'));
    const before = await t.prisma.db.stepExecution.count({
      where: { sequenceId: sequence.id, stepKey: 'nudge' },
    });
    expect(before).toBe(0);
    await driveWithDelivery(t, clock, sequence.id, new Date('2027-01-10T00:00:00Z'));
    const all = await t.prisma.db.outboundMessage.findMany({ where: { groupId: sequence.id } });
    const contents = await t.prisma.db.messageContent.findMany({
      where: { id: { in: all.map((m) => m.contentId) } },
    });
    const subjectOf = new Map(contents.map((c) => [c.id, c.subject.split(':')[0]]));
    for (const c of contacts) {
      const subjects = all.filter((m) => m.contactId === c.id).map((m) => subjectOf.get(m.contentId));
      expect(subjects.sort()).toEqual(clickers.includes(c.id) ? ['intro', 'thanks'] : ['intro', 'nudge']);
    }
    const nudges = await t.prisma.db.stepExecution.findMany({
      where: { sequenceId: sequence.id, stepKey: 'nudge' },
      select: { handedOverAt: true },
    });
    // The window's end: two business days after the intro (Thursday 24 December, 09:00 in Paris).
    expect(new Set(nudges.map((n) => n.handedOverAt.toISOString()))).toEqual(
      new Set(['2026-12-24T08:00:00.000Z']),
    );
  });

  it('streams sequenceProgress while the sequence runs, and only to its own organization', async () => {
    clock.set('2027-01-12T08:00:00Z'); // Tuesday, 09:00 in Paris
    const sequence = await createSequence(me, [mailboxes[0].id], { timezone: 'Europe/Paris' });
    await activate(me, sequence.id);
    const { listId } = await contactsInZones(me, 30, [null], 'progress-');
    const query = `subscription($id: ID!) { sequenceProgress(sequenceId: $id) { sequenceId status readAt
      analytics { enrolled active sent } } }`;
    const sub = subscribe(me.ws(), query, { id: sequence.id });
    const [first] = await sub.waitFor((events) => events.length >= 1);
    expect(first.sequenceProgress).toMatchObject({ status: 'ACTIVE', analytics: { enrolled: 0, sent: 0 } });

    await me.ok(ENROLL, { i: { sequenceId: sequence.id, listIds: [listId] } });
    await driveWithDelivery(t, clock, sequence.id, new Date('2027-01-12T10:00:00Z'));
    // The intros went out: a later snapshot shows them, without asking again.
    const events = await sub.waitFor(
      (all) => all.some((e) => e.sequenceProgress.analytics.sent === 30),
      30_000,
    );
    const reads = events.map((e) => new Date(e.sequenceProgress.readAt).getTime());
    expect(reads).toEqual([...reads].sort((a, b) => a - b));
    expect(events.at(-1).sequenceProgress.analytics).toEqual({ enrolled: 30, active: 30, sent: 30 });

    // Another organization sees nothing of it, by query or by subscription.
    const stranger = await signUpWithOrg(new GraphQLClient(t.url), 'progress-stranger');
    const them = new GraphQLClient(t.url, { token: stranger.token, org: stranger.org });
    expect(
      (
        await them.error(`query($id: ID!) { sequenceProgress(sequenceId: $id) { status } }`, {
          id: sequence.id,
        })
      ).extensions?.code,
    ).toBe('NOT_FOUND');
    const theirs = subscribe(them.ws(), query, { id: sequence.id });
    await expect(theirs.waitFor(() => false, 5000)).rejects.toThrow(/NOT_FOUND|not found/);
  });
});
