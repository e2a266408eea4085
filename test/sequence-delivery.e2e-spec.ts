import { DateTime } from 'luxon';
import { signUpWithOrg } from './factories/accounts.js';
import { sandboxMailbox } from './factories/campaigns.js';
import { activate, contactsInZones, createSequence, ENROLL } from './factories/sequences.js';
import { driveWithDelivery } from './support/drive-delivery.js';
import { headerOf } from './support/fake-http.js';
import { GraphQLClient } from './support/graphql-client.js';
import { ManualClock } from './support/manual-clock.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ZONES = ['America/New_York', 'Europe/Paris', 'Asia/Kolkata'];

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
});
