/**
 * `npm run bench`: end-to-end throughput of one engine process (role all) on this machine, through
 * the public GraphQL API, against a real (embedded) PostgreSQL and a local redis-server:
 *   1. CSV import of BENCH_CONTACTS contacts (rows/s),
 *   2. a campaign to all of them over two SANDBOX mailboxes, from sendCampaign to COMPLETED (messages/s).
 * Prints the figures; see docs/benchmarks.md for recorded runs.
 */
import 'reflect-metadata';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../src/common/local-services/embedded-postgres.js';
import { startLocalRedis } from '../src/common/local-services/local-redis.js';
import { loadConfig, type ResolvedConfig } from '../src/config/config.js';
import { createApp } from '../src/main.js';
import { applyMigrations } from '../src/prisma/migrator.js';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 5000);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ce-bench-'));
  chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'pg'),
    port: await freePort(),
    persistent: false,
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
    jwt: { ...base.jwt, secret: 'bench-secret-bench-secret-bench-secret-0' },
    encryptionKey: Buffer.alloc(32, 9),
  };
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as net.AddressInfo).port}/graphql`;
  let headers: Record<string, string> = { 'content-type': 'application/json' };
  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  try {
    const { signUp } = await gql(
      `mutation { signUp(input: { email: "bench@example.com", password: "bench-password" }) { accessToken } }`,
    );
    headers = { ...headers, authorization: `Bearer ${signUp.accessToken}` };
    const { createOrganization } = await gql(
      `mutation { createOrganization(input: { name: "Bench" }) { id } }`,
    );
    headers = { ...headers, 'x-organization-id': createOrganization.id };
    const mailboxes = [];
    for (const name of ['a', 'b']) {
      const { connectSenderAccount } = await gql(
        `mutation($e: String!) { connectSenderAccount(input: { provider: SANDBOX, email: $e, dailyCap: 100000 }) { id } }`,
        { e: `${name}@bench.example.com` },
      );
      mailboxes.push(connectSenderAccount.id);
    }
    const { createContactList } = await gql(
      `mutation { createContactList(input: { name: "Bench" }) { id } }`,
    );
    const csv = [
      'email,first_name,company',
      ...Array.from({ length: CONTACTS }, (_, i) => `c${i}@example.com,Name${i},Co${i % 50}`),
    ].join('\n');

    let t0 = performance.now();
    const { importContacts } = await gql(
      `mutation($l: ID!, $csv: String!) { importContacts(input: { listId: $l, csv: $csv }) { accepted } }`,
      { l: createContactList.id, csv },
    );
    const importMs = performance.now() - t0;

    const { createCampaign } = await gql(
      `mutation($m: [ID!]!, $l: [ID!]!) { createCampaign(input: { name: "Bench", subject: "Hi {{ contact.firstName }}",
        htmlBody: "<p>Hello {{ contact.firstName | default: \\"there\\" }} at {{ contact.company }}</p>",
        senderAccountIds: $m, listIds: $l }) { id } }`,
      { m: mailboxes, l: [createContactList.id] },
    );
    t0 = performance.now();
    await gql(`mutation($id: ID!) { sendCampaign(id: $id) { totalRecipients } }`, { id: createCampaign.id });
    let status = 'SENDING';
    let sent = 0;
    while (status === 'SENDING') {
      await new Promise((r) => setTimeout(r, 100));
      const { campaignProgress } = await gql(
        `query($id: ID!) { campaignProgress(campaignId: $id) { campaign { status } stats { sent } } }`,
        { id: createCampaign.id },
      );
      status = campaignProgress.campaign.status;
      sent = campaignProgress.stats.sent;
    }
    const sendMs = performance.now() - t0;

    console.log(
      `\ncampaign-engine benchmark (${os.cpus().length} cores, node ${process.version}, DELIVERY_CONCURRENCY=${config.delivery.concurrency})`,
    );
    console.log(
      `  CSV import:  ${importContacts.accepted} contacts in ${(importMs / 1000).toFixed(2)} s = ${Math.round((importContacts.accepted / importMs) * 1000)} contacts/s`,
    );
    console.log(
      `  Campaign:    ${sent} messages (${status}) in ${(sendMs / 1000).toFixed(2)} s = ${Math.round((sent / sendMs) * 1000)} messages/s`,
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
