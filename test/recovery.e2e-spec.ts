import { signUpWithOrg } from './factories/accounts.js';
import {
  CREATE_CAMPAIGN,
  campaignInput,
  listWithContacts,
  sandboxMailbox,
  waitFor,
} from './factories/campaigns.js';
import { GraphQLClient } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * What happens to a running campaign while its recipients wait (here: outside the mailbox's sending
 * window, which is then opened, as if the clock had reached an allowed day).
 */
describe('a campaign waiting to send', () => {
  let t: TestApp;
  let me: GraphQLClient;

  beforeAll(async () => {
    t = await startTestApp({ runnerTickMs: 200 });
    t.config.delivery.stuckMs = 1000;
    const owner = await signUpWithOrg(new GraphQLClient(t.url), 'waiting');
    me = new GraphQLClient(t.url, { token: owner.token, org: owner.org });
  });
  afterAll(() => t.close());

  const today = ((new Date().getUTCDay() + 6) % 7) + 1;
  const closedWindow = { timezone: 'UTC', windowDays: [1, 2, 3, 4, 5, 6, 7].filter((d) => d !== today) };

  async function waitingCampaign(name: string, contacts: number) {
    const mb = await sandboxMailbox(me, name, closedWindow);
    const listId = await listWithContacts(me, contacts, name);
    const { createCampaign } = await me.ok(CREATE_CAMPAIGN, {
      i: campaignInput([mb.id], [listId], { name }),
    });
    await me.ok(`mutation($id: ID!) { sendCampaign(id: $id) { campaign { status } } }`, {
      id: createCampaign.id,
    });
    return { mailboxId: mb.id, campaignId: createCampaign.id as string };
  }
  const openWindow = (mailboxId: string) =>
    t.prisma.db.senderAccount.update({ where: { id: mailboxId }, data: { windowDays: [] } });
  const campaignOf = (id: string) => t.prisma.db.campaign.findUniqueOrThrow({ where: { id } });

  it('heals recipients claimed but never enqueued (a crash between claim and enqueue)', async () => {
    const { mailboxId, campaignId } = await waitingCampaign('orphans', 4);
    await t.prisma.db
      .$executeRaw`UPDATE "CampaignRecipient" SET status = 'QUEUED', "queuedAt" = now() - interval '1 hour'
      WHERE "campaignId" = ${campaignId}::uuid`;
    await openWindow(mailboxId);
    await waitFor(
      () => campaignOf(campaignId),
      (c) => c.status === 'COMPLETED',
    );
    const messages = await t.prisma.db.sandboxMessage.findMany({ where: { senderAccountId: mailboxId } });
    expect(messages).toHaveLength(4);
    expect(new Set(messages.map((m) => m.toAddress)).size).toBe(4);
  });

  it('skips an address suppressed after the campaign started', async () => {
    const { mailboxId, campaignId } = await waitingCampaign('late', 3);
    await me.ok(
      `mutation { addSuppression(input: { email: "late1@example.com", reason: UNSUBSCRIBED }) { id } }`,
    );
    await openWindow(mailboxId);
    await waitFor(
      () => campaignOf(campaignId),
      (c) => c.status === 'COMPLETED',
    );
    const byEmail = Object.fromEntries(
      (await t.prisma.db.campaignRecipient.findMany({ where: { campaignId } })).map((r) => [
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

  it('ends FAILED with the reason when its mailbox is disconnected meanwhile, and loses no recipient', async () => {
    const { mailboxId, campaignId } = await waitingCampaign('unplugged', 3);
    await me.ok(`mutation($id: ID!) { disconnectSenderAccount(id: $id) { status } }`, { id: mailboxId });
    const c = await waitFor(
      () => campaignOf(campaignId),
      (x) => x.status === 'FAILED',
    );
    expect(c.error).toMatch(/unplugged@sandbox.example.com is DISCONNECTED/);
    const statuses = await t.prisma.db.campaignRecipient.groupBy({
      by: ['status'],
      where: { campaignId },
      _count: true,
    });
    expect(statuses).toEqual([{ status: 'FAILED', _count: 3 }]);
  });
});
