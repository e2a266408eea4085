/**
 * `npm run bench` (second part): the sequence engine's claim loop at scale. BENCH_ENROLLMENTS
 * (default 100,000) enrollments wait on one WAIT step that ends at the same moment; the clock is
 * moved to that moment and one engine process turns them all into sends handed to the delivery
 * pipeline (step executions + outbound messages, committed). Measured: wall time from the due
 * moment until the last hand-over committed, and the rate. The mailboxes are outside their sending
 * window so delivery queues the messages without sending them (sending is measured by the
 * campaign benchmark). One process, embedded PostgreSQL, a local redis-server.
 */
import 'reflect-metadata';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Clock } from '../src/common/clock/clock.js';
import { startEmbeddedPostgres } from '../src/common/local-services/embedded-postgres.js';
import { startLocalRedis } from '../src/common/local-services/local-redis.js';
import { loadConfig, type ResolvedConfig } from '../src/config/config.js';
import { createApp } from '../src/main.js';
import { applyMigrations } from '../src/prisma/migrator.js';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { SequenceEngine } from '../src/sequences/engine/sequence-engine.js';

const ENROLLMENTS = Number(process.env.BENCH_ENROLLMENTS ?? 100_000);

class BenchClock extends Clock {
  constructor(private at: number) {
    super();
  }
  now() {
    return new Date(this.at);
  }
  set(at: Date) {
    this.at = at.getTime();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ce-bench-seq-'));
  chmodSync(dir, 0o755);
  // BENCH_PG_STATS=1: the statements PostgreSQL spent its time on during the due phase.
  const pgStats = !!process.env.BENCH_PG_STATS;
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'pg'),
    port: await freePort(),
    persistent: false,
    flags: pgStats
      ? ['-c', 'shared_preload_libraries=pg_stat_statements', '-c', 'pg_stat_statements.track=all']
      : [],
  });
  const redis = await startLocalRedis({
    dataDir: path.join(dir, 'redis'),
    port: await freePort(),
    persistent: false,
  });
  await applyMigrations(pg.url);
  const base = loadConfig({ ...process.env, LOG_LEVEL: 'warn', SEED_DEMO: 'false', NODE_ENV: 'development' });
  const config: ResolvedConfig = {
    ...base,
    databaseUrl: pg.url,
    redisUrl: redis.url,
    // The tick stays out of the way: the measured claim loop is the one this script runs.
    runnerTickMs: 3_600_000,
    jwt: { ...base.jwt, secret: 'bench-secret-bench-secret-bench-secret-0' },
    encryptionKey: Buffer.alloc(32, 9),
  };
  const start = new Date('2026-06-01T00:00:00Z'); // a Monday
  const clock = new BenchClock(start.getTime());
  const app = await createApp(config, { clock });
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as net.AddressInfo).port}/graphql`;
  let headers: Record<string, string> = { 'content-type': 'application/json' };
  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const prisma = app.get(PrismaService).db;
  const engine = app.get(SequenceEngine);
  try {
    const { signUp } = await gql(
      `mutation { signUp(input: { email: "bench@example.com", password: "bench-password" }) { accessToken } }`,
    );
    headers = { ...headers, authorization: `Bearer ${signUp.accessToken}` };
    const { createOrganization } = await gql(
      `mutation { createOrganization(input: { name: "Bench" }) { id } }`,
    );
    const org = createOrganization.id as string;
    headers = { ...headers, 'x-organization-id': org };
    // Sending window: one minute on Sundays, so delivery holds what it is given.
    const mailbox = async (email: string) =>
      (
        await gql(
          `mutation($e: String!) { connectSenderAccount(input: { provider: SANDBOX, email: $e, dailyCap: 100000,
            windowStartMinute: 0, windowEndMinute: 1, windowDays: [7] }) { id } }`,
          { e: email },
        )
      ).connectSenderAccount.id as string;
    const mailboxes = [await mailbox('a@bench.example.com'), await mailbox('b@bench.example.com')];
    const { createContactList } = await gql(
      `mutation { createContactList(input: { name: "Bench" }) { id } }`,
    );
    const listId = createContactList.id as string;
    await prisma.$executeRaw`
      INSERT INTO "Contact" ("organizationId", email, "firstName", "updatedAt")
      SELECT ${org}::uuid, 's' || g || '@example.com', 'S' || g, now() FROM generate_series(1, ${ENROLLMENTS}) g`;
    await prisma.$executeRaw`
      INSERT INTO "ContactListMember" ("listId", "contactId")
      SELECT ${listId}::uuid, id FROM "Contact" WHERE "organizationId" = ${org}::uuid`;
    const { createSequence } = await gql(
      `mutation($i: CreateSequenceInput!) { createSequence(input: $i) { id } }`,
      {
        i: {
          name: 'Bench',
          senderAccountIds: mailboxes,
          timezone: 'UTC',
          businessDays: [1, 2, 3, 4, 5, 6, 7],
          businessStartMinute: 0,
          businessEndMinute: 1440,
          steps: [
            { key: 'wait', type: 'WAIT', waitAmount: 1, waitUnit: 'HOURS' },
            { key: 'email', type: 'EMAIL', subject: 'Hi {{ contact.firstName }}', htmlBody: '<p>Hello</p>' },
          ],
        },
      },
    );
    const sequenceId = createSequence.id as string;
    await gql(`mutation($id: ID!) { activateSequence(id: $id) { status } }`, { id: sequenceId });
    let t0 = performance.now();
    const { enrollContacts } = await gql(
      `mutation($i: EnrollContactsInput!) { enrollContacts(input: $i) { enrolled } }`,
      { i: { sequenceId, listIds: [listId] } },
    );
    const enrollMs = performance.now() - t0;
    // Entering the WAIT (the engine runs on its own through the wake-up job; this waits for it).
    await engine.runDue();
    const waiting = await prisma.sequenceEnrollment.count({ where: { sequenceId, currentStepKey: 'wait' } });
    await prisma.$executeRaw`VACUUM ANALYZE`;

    if (pgStats) {
      await prisma.$executeRawUnsafe('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await prisma.$queryRawUnsafe('SELECT pg_stat_statements_reset()');
    }
    clock.set(new Date(start.getTime() + 3_600_000));
    t0 = performance.now();
    const run = await engine.runDue();
    const dueMs = performance.now() - t0;
    const messages = await prisma.outboundMessage.count({ where: { groupId: sequenceId } });
    if (pgStats) {
      const top = await prisma.$queryRawUnsafe<{ ms: number; calls: bigint; q: string }[]>(
        `SELECT round(total_exec_time)::float AS ms, calls, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS q
         FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15`,
      );
      for (const r of top)
        console.log(String(r.ms).padStart(8), 'ms', String(r.calls).padStart(6), 'calls', r.q);
    }

    console.log(`\nSequence engine, ${ENROLLMENTS.toLocaleString('en')} enrollments due at one moment`);
    console.log(
      `  Enrolment:       ${enrollContacts.enrolled} enrolled in ${(enrollMs / 1000).toFixed(2)} s (API)`,
    );
    console.log(`  Waiting:         ${waiting} enrollments on the WAIT step, all due at the same moment`);
    console.log(
      `  Due → handed over: ${run.handedOver} sends (${messages} outbound messages) in ${(dueMs / 1000).toFixed(2)} s` +
        ` (${Math.round((run.handedOver / dueMs) * 1000)}/s)`,
    );
  } finally {
    await app.close();
    await redis.stop();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
