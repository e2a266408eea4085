import { RunnerService } from '../src/runner/runner.service.js';
import { signUpWithOrg, type Account } from './factories/accounts.js';
import {
  CREATE_CAMPAIGN,
  campaignInput,
  listWithContacts,
  sandboxMailbox,
  waitFor,
} from './factories/campaigns.js';
import { GraphQLClient } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const RUN = `mutation($org: ID!) { runAutomation(organizationId: $org) {
  processedCount
  campaigns { campaignId organizationId name previousStatus newStatus recipientsGenerated recipientCount }
  errors { campaignId error } } }`;

describe('the runner', () => {
  // Two API-only processes on one database: nothing promotes campaigns unless asked.
  let a: TestApp;
  let b: TestApp;
  let owner: Account;
  let me: GraphQLClient;

  beforeAll(async () => {
    a = await startTestApp({}, 'api');
    b = await startTestApp({ databaseUrl: a.config.databaseUrl, queue: a.config.queue }, 'api');
    owner = await signUpWithOrg(new GraphQLClient(a.url), 'runner');
    me = new GraphQLClient(a.url, { token: owner.token, org: owner.org });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  const scheduleSoon = async (name: string, contacts: number, ms = 800) => {
    const mb = await sandboxMailbox(me, `${name}-mb`);
    const listId = await listWithContacts(me, contacts, name);
    const at = new Date(Date.now() + ms).toISOString();
    return (await me.ok(CREATE_CAMPAIGN, { i: campaignInput([mb.id], [listId], { name, scheduledAt: at }) }))
      .createCampaign.id as string;
  };

  it('runAutomation starts due campaigns, reports each, and one failure does not stop the others', async () => {
    const good = await scheduleSoon('good', 3);
    const empty = await scheduleSoon('empty', 0);
    const later = await scheduleSoon('later', 2, 60_000);
    await new Promise((r) => setTimeout(r, 1000));
    const { runAutomation } = await me.ok(RUN, { org: owner.org });
    expect(runAutomation).toEqual({
      processedCount: 2,
      campaigns: [
        {
          campaignId: good,
          organizationId: owner.org,
          name: 'good',
          previousStatus: 'SCHEDULED',
          newStatus: 'SENDING',
          recipientsGenerated: 3,
          recipientCount: 3,
        },
      ],
      errors: [{ campaignId: empty, error: expect.stringMatching(/no recipients/) }],
    });
    const statuses = await a.prisma.db.campaign.findMany({
      where: { id: { in: [good, empty, later] } },
      select: { id: true, status: true, error: true },
    });
    expect(statuses.find((s) => s.id === empty)).toMatchObject({
      status: 'FAILED',
      error: expect.stringMatching(/no recipients/),
    });
    expect(statuses.find((s) => s.id === later)!.status).toBe('SCHEDULED');
    const started = await a.prisma.db.event.findFirstOrThrow({
      where: { campaignId: good, type: 'campaign.started' },
    });
    expect(started).toMatchObject({ actorType: 'SYSTEM', actorId: 'runner' });
    // Another organization cannot run the first one's automation.
    const other = await signUpWithOrg(new GraphQLClient(a.url), 'other');
    const e = await new GraphQLClient(a.url, { token: other.token, org: other.org }).error(RUN, {
      org: owner.org,
    });
    expect(e.extensions?.code).toBe('FORBIDDEN');
  });

  it('never double-promotes when two runners race', async () => {
    const ids = [await scheduleSoon('race1', 4), await scheduleSoon('race2', 4)];
    await new Promise((r) => setTimeout(r, 1000));
    const [ra, rb] = await Promise.all([
      a.app.get(RunnerService).promoteDue(),
      b.app.get(RunnerService).promoteDue(),
    ]);
    const startedIds = [...ra.campaigns, ...rb.campaigns].map((c) => c.campaignId).sort();
    expect(startedIds).toEqual([...ids].sort());
    expect([...ra.errors, ...rb.errors]).toEqual([]);
    expect(
      await a.prisma.db.event.count({ where: { campaignId: { in: ids }, type: 'campaign.started' } }),
    ).toBe(2);
    expect(await a.prisma.db.outboundMessage.count({ where: { groupId: { in: ids } } })).toBe(8);
  });
});

describe('a scheduled campaign', () => {
  it('starts within a second of its time through its delayed job, without waiting for a runner poll', async () => {
    const t = await startTestApp({ runnerTickMs: 600_000 });
    try {
      const account = await signUpWithOrg(new GraphQLClient(t.url), 'ontime');
      const me = new GraphQLClient(t.url, { token: account.token, org: account.org });
      const mb = await sandboxMailbox(me, 'ontime');
      const listId = await listWithContacts(me, 2, 'ontime');
      const at = new Date(Date.now() + 1500);
      const { createCampaign } = await me.ok(CREATE_CAMPAIGN, {
        i: campaignInput([mb.id], [listId], { scheduledAt: at.toISOString() }),
      });
      const c = await waitFor(
        () => t.prisma.db.campaign.findUniqueOrThrow({ where: { id: createCampaign.id } }),
        (x) => x.status === 'COMPLETED',
        10000,
      );
      expect(c.startedAt!.getTime()).toBeGreaterThanOrEqual(at.getTime());
      expect(c.startedAt!.getTime() - at.getTime()).toBeLessThan(1000);
      const started = await t.prisma.db.event.findFirstOrThrow({
        where: { campaignId: c.id, type: 'campaign.started' },
      });
      expect(started).toMatchObject({ actorType: 'SYSTEM', actorId: 'scheduled-start' });
    } finally {
      await t.close();
    }
  });
});
