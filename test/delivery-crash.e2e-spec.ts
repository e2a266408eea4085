import { signUpWithOrg } from './factories/accounts.js';
import {
  CREATE_CAMPAIGN,
  campaignInput,
  listWithContacts,
  sandboxMailbox,
  smtpMailbox,
  waitFor,
} from './factories/campaigns.js';
import { startFakeSmtp, type FakeSmtp } from './support/fake-smtp.js';
import { GraphQLClient } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { buildEngine, hangSandboxAt, holdLock, workerEnv, Workers } from './support/workers.js';

const PROGRESS = `query($id: ID!) { campaignProgress(campaignId: $id) {
  campaign { status } stats { total pending queued sending sent failed cancelled } } }`;

/**
 * Worker processes killed with SIGKILL at the two moments that matter: after claiming messages but
 * before contacting the provider (they must simply be sent again, no reconciliation, no "unknown
 * outcome"), and while the provider is taking a batch (they are reconciled). The test process is
 * the API and the runner (recovery sweep); sends happen only in the worker processes. The engine
 * is stopped at each moment by holding a PostgreSQL lock the next step needs, not by a hook.
 */
describe('worker processes killed mid-send', () => {
  let t: TestApp;
  let smtp: FakeSmtp;
  let me: GraphQLClient;
  let workers: Workers;

  beforeAll(async () => {
    smtp = await startFakeSmtp({ auth: { username: 'mailer', password: 'secret-pass' } });
    buildEngine();
    t = await startTestApp(
      { runnerTickMs: 200, mailboxHostAllowlist: [`${smtp.host}:${smtp.port}`] },
      'scheduler',
    );
    t.config.delivery.retryBaseMs = 200;
    workers = new Workers(() => workerEnv(t));
    const owner = await signUpWithOrg(new GraphQLClient(t.url), 'crash');
    me = new GraphQLClient(t.url, { token: owner.token, org: owner.org });
  });
  afterAll(async () => {
    await workers?.killAll();
    await t?.close();
    await smtp?.close();
  });

  const progress = async (id: string) => (await me.ok(PROGRESS, { id })).campaignProgress;
  const statuses = async (groupId: string) =>
    Object.fromEntries(
      (await t.prisma.db.outboundMessage.groupBy({ by: ['status'], where: { groupId }, _count: true })).map(
        (r) => [r.status, r._count],
      ),
    );

  it('retries messages claimed by a worker killed before it contacted the provider: sent once each, no unknown outcome', async () => {
    t.config.delivery.stuckMs = 3000;
    // SMTP cannot be asked afterwards: had these messages counted as handed off, they would end
    // FAILED "outcome unknown". A minimum gap makes each hand-off update the mailbox row first.
    const mb = await smtpMailbox(me, 'held', smtp, { minGapSeconds: 1 });
    const listId = await listWithContacts(me, 5, 'held');
    const addresses = Array.from({ length: 5 }, (_, i) => `held${i}@example.com`);
    const { createCampaign } = await me.ok(CREATE_CAMPAIGN, { i: campaignInput([mb.id], [listId]) });
    const id = createCampaign.id as string;

    // QUEUE_LOCK_MS stays at its default (2 minutes). The dead worker's dispatch job holds the group's
    // one dispatch slot: healing must follow the stuck time (its lock does), not that lock.
    const worker = workers.start();
    await me.ok(`mutation($id: ID!) { sendCampaign(id: $id) { campaign { status } } }`, { id });
    await waitFor(
      () => statuses(id),
      (s) => (s.SENT ?? 0) >= 1,
      60000,
    );
    // From now on a hand-off waits for the mailbox row: the worker's next claims stop right there.
    const lock = await holdLock(
      t.config.databaseUrl,
      `SELECT 1 FROM "SenderAccount" WHERE id = $1 FOR UPDATE`,
      [mb.id],
    );
    let held: { email: string }[];
    try {
      await waitFor(
        async () => ({
          waiting: await lock.waiters(),
          claimed: await t.prisma.db.outboundMessage.count({ where: { groupId: id, status: 'SENDING' } }),
          handedOff: await t.prisma.db.outboundMessage.count({
            where: { groupId: id, status: 'SENDING', handoffAt: { not: null } },
          }),
        }),
        (s) => s.waiting >= 1 && s.claimed >= 1 && s.handedOff === 0,
        30000,
      );
      held = await t.prisma.db.outboundMessage.findMany({
        where: { groupId: id, status: 'SENDING', handoffAt: null },
        select: { email: true },
      });
      await workers.kill(worker);
    } finally {
      await lock.release();
    }
    const killedAt = Date.now();
    expect(held.length).toBeGreaterThanOrEqual(1);
    // The provider never saw them.
    for (const h of held) expect(smtp.attempts(h.email)).toBe(0);

    workers.start();
    // Well under the two minutes Bull would keep a dead job's lock of QUEUE_LOCK_MS.
    const done = await waitFor(
      () => progress(id),
      (p) => p.campaign.status !== 'SENDING',
      90000,
    );
    console.log(
      `[measure] worker SIGKILLed before the hand-off (stuck time 3 s, QUEUE_LOCK_MS default): ` +
        `campaign COMPLETED ${Date.now() - killedAt} ms after the kill`,
    );
    expect(done).toEqual({
      campaign: { status: 'COMPLETED' },
      stats: { total: 5, pending: 0, queued: 0, sending: 0, sent: 5, failed: 0, cancelled: 0 },
    });
    // Every contact got exactly one message; each address was tried once at the server.
    for (const a of addresses) {
      expect(smtp.messages.filter((m) => m.to.includes(a))).toHaveLength(1);
      expect(smtp.attempts(a)).toBe(1);
    }
    const rows = await t.prisma.db.outboundMessage.findMany({ where: { groupId: id } });
    // A normal retry: one counted attempt each, no failure kind.
    for (const r of rows)
      expect({ status: r.status, attempts: r.attempts, kind: r.failureKind }).toEqual({
        status: 'SENT',
        attempts: 1,
        kind: null,
      });
  }, 180000);

  it('settles a campaign after every worker is killed during provider calls (DELIVERY_STUCK_MS=10000), once fresh workers start', async () => {
    t.config.delivery.stuckMs = 10000;
    // No worker may run before the hangs are in place (hangSandboxAt counts PENDING messages): the
    // previous test's fresh worker would start sending this campaign at once.
    await workers.killAll();
    const [a, b] = [await sandboxMailbox(me, 'ka'), await sandboxMailbox(me, 'kb')];
    const total = 1500;
    const listId = await listWithContacts(me, total, 'kill');
    const { createCampaign } = await me.ok(CREATE_CAMPAIGN, { i: campaignInput([a.id, b.id], [listId]) });
    const id = createCampaign.id as string;
    await me.ok(`mutation($id: ID!) { sendCampaign(id: $id) { campaign { status } } }`, { id });
    const delivered = () =>
      t.prisma.db.sandboxMessage.count({ where: { senderAccountId: { in: [a.id, b.id] } } });
    // Mid-campaign whatever this machine's speed: from each mailbox's 300th message on, every
    // 50th hangs in its provider call, so the workers stop inside provider calls, batches handed off.
    const positions = Array.from({ length: 8 }, (_, i) => 300 + 50 * i);
    const hangs = [
      await hangSandboxAt(t.config.databaseUrl, id, a.id, positions),
      await hangSandboxAt(t.config.databaseUrl, id, b.id, positions),
    ];
    // QUEUE_LOCK_MS stays at its default (2 minutes): healing must follow the stuck time, not it.
    const pair = [workers.start(), workers.start()];
    let inFlight: string[];
    let killedAt: number;
    let deliveredAtKill: number;
    try {
      await waitFor(
        () => hangs[0].waiters(),
        (n) => n >= 2,
        60000,
      );
      await new Promise((r) => setTimeout(r, 300)); // the workers' other chunks reach a hang too
      await Promise.all(pair.map((w) => workers.kill(w)));
      killedAt = Date.now();
      deliveredAtKill = await delivered();
      inFlight = (
        await t.prisma.db.outboundMessage.findMany({
          where: { groupId: id, status: 'SENDING' },
          select: { id: true },
        })
      ).map((m) => m.id);
    } finally {
      // The INSERTs the dead workers started now complete: the provider accepted what it was given.
      for (const h of hangs) await h.release();
    }
    expect(deliveredAtKill).toBeLessThan(total);

    expect(inFlight.length).toBeGreaterThan(0);

    workers.start();
    workers.start();
    await waitFor(
      () => t.prisma.db.outboundMessage.count({ where: { id: { in: inFlight }, status: 'SENDING' } }),
      (n) => n === 0,
      120000,
    );
    const inFlightSettledMs = Date.now() - killedAt;
    const done = await waitFor(
      () => progress(id),
      (p) => p.campaign.status !== 'SENDING',
      120000,
    );
    const completedMs = Date.now() - killedAt;
    console.log(
      `[measure] SIGKILL of all workers with ${inFlight.length} messages in flight, DELIVERY_STUCK_MS=10000: ` +
        `in-flight settled after ${inFlightSettledMs} ms, campaign COMPLETED after ${completedMs} ms`,
    );
    expect(done).toEqual({
      campaign: { status: 'COMPLETED' },
      stats: { total, pending: 0, queued: 0, sending: 0, sent: total, failed: 0, cancelled: 0 },
    });
    const messages = await t.prisma.db.sandboxMessage.findMany({
      where: { senderAccountId: { in: [a.id, b.id] } },
      select: { toAddress: true },
    });
    expect(messages).toHaveLength(total);
    expect(new Set(messages.map((m) => m.toAddress)).size).toBe(total);
    expect(await statuses(id)).toEqual({ SENT: total });
  }, 300000);
});
