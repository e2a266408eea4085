import { signUpWithOrg } from './factories/accounts.js';
import {
  CREATE_CAMPAIGN,
  campaignInput,
  listWithContacts,
  sandboxMailbox,
  waitFor,
} from './factories/campaigns.js';
import { GraphQLClient } from './support/graphql-client.js';
import { ManualClock } from './support/manual-clock.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * What happens to a running campaign while its recipients wait: outside the mailbox's sending
 * window (it sends only tomorrow), until the engine's clock reaches the next day.
 */
describe('a campaign waiting to send', () => {
  let t: TestApp;
  let me: GraphQLClient;
  const clock = new ManualClock(new Date(), { running: true });

  beforeAll(async () => {
    t = await startTestApp({ runnerTickMs: 200 }, 'all', { clock });
    t.config.delivery.stuckMs = 1000;
    const owner = await signUpWithOrg(new GraphQLClient(t.url), 'waiting');
    me = new GraphQLClient(t.url, { token: owner.token, org: owner.org });
  });
  afterAll(() => t.close());

  /** A window open only tomorrow (ISO weekday, UTC), by the engine's clock. */
  const tomorrowOnly = () => ({ timezone: 'UTC', windowDays: [(clock.now().getUTCDay() + 1) % 7 || 7] });

  async function waitingCampaign(name: string, contacts: number) {
    const mb = await sandboxMailbox(me, name, tomorrowOnly());
    const listId = await listWithContacts(me, contacts, name);
    const { createCampaign } = await me.ok(CREATE_CAMPAIGN, {
      i: campaignInput([mb.id], [listId], { name }),
    });
    await me.ok(`mutation($id: ID!) { sendCampaign(id: $id) { campaign { status } } }`, {
      id: createCampaign.id,
    });
    return { mailboxId: mb.id, campaignId: createCampaign.id as string };
  }
  /** Tomorrow comes: the window opens. */
  const openWindow = (_mailboxId: string) => clock.advance(24 * 3600_000);
  const campaignOf = (id: string) => t.prisma.db.campaign.findUniqueOrThrow({ where: { id } });

  it('gives back capacity reserved for a job that was lost (Redis emptied between reserve and enqueue)', async () => {
    const { mailboxId, campaignId } = await waitingCampaign('orphans', 4);
    // A dispatcher reserved 4 slots and its job vanished: the usage counts them, no job will use them.
    const day = new Date(`${clock.now().toISOString().slice(0, 10)}T00:00:00Z`);
    await t.prisma.db.$executeRaw`
      INSERT INTO "DeliveryReservation" (token, "groupId", "senderAccountId", day, count, "createdAt")
      VALUES (gen_random_uuid(), ${campaignId}::uuid, ${mailboxId}::uuid, ${day}::date, 4, now() - interval '1 hour')`;
    await t.prisma.db.senderDailyUsage.create({ data: { senderAccountId: mailboxId, day, sent: 4 } });
    openWindow(mailboxId);
    await waitFor(
      () => campaignOf(campaignId),
      (c) => c.status === 'COMPLETED',
    );
    const messages = await t.prisma.db.sandboxMessage.findMany({ where: { senderAccountId: mailboxId } });
    expect(messages).toHaveLength(4);
    expect(new Set(messages.map((m) => m.toAddress)).size).toBe(4);
    expect(await t.prisma.db.deliveryReservation.count({ where: { groupId: campaignId } })).toBe(0);
    // The lost reservation was given back: the day counts the 4 sends once, not 8.
    const usage = await t.prisma.db.senderDailyUsage.findMany({ where: { senderAccountId: mailboxId } });
    expect(usage.reduce((n, u) => n + u.sent, 0)).toBe(4);
  });

  it('skips an address suppressed after the campaign started', async () => {
    const { mailboxId, campaignId } = await waitingCampaign('late', 3);
    await me.ok(
      `mutation { addSuppression(input: { email: "late1@example.com", reason: UNSUBSCRIBED }) { id } }`,
    );
    openWindow(mailboxId);
    await waitFor(
      () => campaignOf(campaignId),
      (c) => c.status === 'COMPLETED',
    );
    const byEmail = Object.fromEntries(
      (await t.prisma.db.outboundMessage.findMany({ where: { groupId: campaignId } })).map((r) => [
        r.email,
        r.status,
      ]),
    );
    expect(byEmail).toEqual({
      'late0@example.com': 'SENT',
      'late1@example.com': 'SKIPPED',
      'late2@example.com': 'SENT',
    });
    expect(await t.prisma.db.sandboxMessage.count({ where: { toAddress: 'late1@example.com' } })).toBe(0);
  });

  it('keeps the recipients of a mailbox disconnected meanwhile waiting, says why, and sends them once it is back', async () => {
    const { mailboxId, campaignId } = await waitingCampaign('unplugged', 3);
    await me.ok(`mutation($id: ID!) { disconnectSenderAccount(id: $id) { status } }`, { id: mailboxId });
    openWindow(mailboxId);
    await new Promise((r) => setTimeout(r, 1000)); // runner ticks: nothing is failed or lost meanwhile
    const { campaign } = await me.ok(`query($id: ID!) { campaign(id: $id) { status waitingFor } }`, {
      id: campaignId,
    });
    expect(campaign.status).toBe('SENDING');
    expect(campaign.waitingFor).toMatch(/unplugged@sandbox.example.com is DISCONNECTED/);
    const statuses = await t.prisma.db.outboundMessage.groupBy({
      by: ['status'],
      where: { groupId: campaignId },
      _count: true,
    });
    expect(statuses).toEqual([{ status: 'PENDING', _count: 3 }]);

    await sandboxMailbox(me, 'unplugged'); // reconnects the same address
    await waitFor(
      () => campaignOf(campaignId),
      (c) => c.status === 'COMPLETED',
    );
    expect(await t.prisma.db.sandboxMessage.count({ where: { senderAccountId: mailboxId } })).toBe(3);
  });
});
