import path from 'node:path';
import { Redis } from 'ioredis';
import type { RunningService } from '../src/common/local-services/embedded-postgres.js';
import { startLocalRedis } from '../src/common/local-services/local-redis.js';
import { signUpWithOrg } from './factories/accounts.js';
import {
  CREATE_CAMPAIGN,
  campaignInput,
  listWithContacts,
  sandboxMailbox,
  waitFor,
} from './factories/campaigns.js';
import { GraphQLClient } from './support/graphql-client.js';
import { freePort } from './support/ports.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { hangSandboxAt, holdLock } from './support/workers.js';

const PROGRESS = `query($id: ID!) { campaignProgress(campaignId: $id) {
  campaign { status } stats { total pending queued sending sent failed cancelled } } }`;

/**
 * Redis only carries hints (queued jobs); PostgreSQL holds the truth. Losing Redis's contents in
 * the middle of a campaign (FLUSHALL), or Redis itself for a moment (restart of an in-memory
 * server, which also loses everything), must cost no message and send none twice. This file runs
 * its own redis-server, so it can stop and empty it without touching other files' queues.
 */
describe('a campaign across the loss of Redis', () => {
  let redis: RunningService;
  let port: number;
  const dataDir = path.join(process.env.TEST_ROOT ?? '/tmp', `redis-loss-${process.pid}`);
  let t: TestApp;
  let me: GraphQLClient;
  const STUCK_MS = 2000;

  beforeAll(async () => {
    port = await freePort();
    redis = await startLocalRedis({ dataDir, port, persistent: false });
    t = await startTestApp({ runnerTickMs: 200, redisUrl: redis.url }, 'all', {
      // One send job at a time: while it hangs, the campaign's other jobs wait in Redis.
      env: { DELIVERY_CONCURRENCY: '1', DELIVERY_STUCK_MS: String(STUCK_MS), DELIVERY_RETRY_BASE_MS: '200' },
    });
    const owner = await signUpWithOrg(new GraphQLClient(t.url), 'redisloss');
    me = new GraphQLClient(t.url, { token: owner.token, org: owner.org });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  const progress = async (id: string) => (await me.ok(PROGRESS, { id })).campaignProgress;

  /**
   * Starts a 300-contact campaign, lets Redis be lost (`lose`) while a send job hangs inside its
   * provider call and the other jobs wait in the queue, then checks it completes exactly once each.
   */
  async function campaignAcross(name: string, lose: () => Promise<void>) {
    const mb = await sandboxMailbox(me, name);
    const total = 300;
    const listId = await listWithContacts(me, total, name);
    const { createCampaign } = await me.ok(CREATE_CAMPAIGN, { i: campaignInput([mb.id], [listId]) });
    const id = createCampaign.id as string;
    // The worker runs in this process: dispatch waits for the mailbox row until the hang is set.
    const gate = await holdLock(
      t.config.databaseUrl,
      `SELECT 1 FROM "SenderAccount" WHERE id = $1 FOR NO KEY UPDATE`,
      [mb.id],
    );
    let hang: Awaited<ReturnType<typeof hangSandboxAt>>;
    try {
      await me.ok(`mutation($id: ID!) { sendCampaign(id: $id) { campaign { status } } }`, { id });
      hang = await hangSandboxAt(t.config.databaseUrl, id, mb.id, [150]);
    } finally {
      await gate.release();
    }
    let lostAt: number;
    try {
      await waitFor(
        () => hang.waiters(),
        (n) => n >= 1,
        30000,
      );
      const before = await progress(id);
      expect(before.stats.sent).toBeLessThan(total);
      // Capacity reserved for jobs that wait in Redis: what losing Redis takes away.
      expect(await t.prisma.db.deliveryReservation.count({ where: { groupId: id } })).toBeGreaterThan(0);
      await lose();
      lostAt = Date.now();
    } finally {
      await hang.release();
    }
    const done = await waitFor(
      () => progress(id),
      (p) => p.campaign.status !== 'SENDING',
      90000,
    );
    const settledMs = Date.now() - lostAt;
    console.log(
      `[measure] ${name}: campaign COMPLETED ${settledMs} ms after Redis was lost (DELIVERY_STUCK_MS=${STUCK_MS})`,
    );
    expect(done).toEqual({
      campaign: { status: 'COMPLETED' },
      stats: { total, pending: 0, queued: 0, sending: 0, sent: total, failed: 0, cancelled: 0 },
    });
    const messages = await t.prisma.db.sandboxMessage.findMany({
      where: { senderAccountId: mb.id },
      select: { toAddress: true },
    });
    expect(messages).toHaveLength(total);
    expect(new Set(messages.map((m) => m.toAddress)).size).toBe(total);
    // No capacity is left reserved for jobs that Redis lost.
    expect(await t.prisma.db.deliveryReservation.count({ where: { groupId: id } })).toBe(0);
    const usage = await t.prisma.db.senderDailyUsage.findMany({ where: { senderAccountId: mb.id } });
    expect(usage.reduce((n, u) => n + u.sent, 0)).toBe(total);
  }

  it('completes a campaign whose queued jobs vanish with FLUSHALL: nobody twice, nobody lost', async () => {
    await campaignAcross('flushed', async () => {
      const client = new Redis(redis.url);
      try {
        await client.flushall();
      } finally {
        client.disconnect();
      }
    });
  }, 180000);

  it('completes a campaign across a restart of Redis (in-memory: its jobs are lost too)', async () => {
    await campaignAcross('restarted', async () => {
      await redis.stop();
      await new Promise((r) => setTimeout(r, 1000)); // the engine notices Redis is gone
      redis = await startLocalRedis({ dataDir, port, persistent: false });
    });
  }, 180000);
});
