/**
 * What every benchmark needs: one engine process (role `all`) with its own embedded PostgreSQL and
 * redis-server in a temporary folder, reached through the public GraphQL API like a client would.
 */
import 'reflect-metadata';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Clock } from '../src/common/clock/clock.js';
import { startEmbeddedPostgres } from '../src/common/local-services/embedded-postgres.js';
import { startLocalRedis } from '../src/common/local-services/local-redis.js';
import { loadConfig, type ResolvedConfig } from '../src/config/config.js';
import { createApp } from '../src/main.js';
import { applyMigrations } from '../src/prisma/migrator.js';
import { PrismaService } from '../src/prisma/prisma.service.js';

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export type Gql = (query: string, variables?: Record<string, unknown>) => Promise<any>;

export interface BenchEngine {
  app: Awaited<ReturnType<typeof createApp>>;
  config: ResolvedConfig;
  prisma: PrismaService['db'];
  gql: Gql;
  /** Signs up and creates an organization; later `gql` calls act in it. Returns its id. */
  signIn(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts the services and the engine. `pgStats` loads pg_stat_statements (BENCH_PG_STATS);
 * `configure` adjusts the configuration before the engine starts.
 */
export async function startBenchEngine(
  options: { pgStats?: boolean; clock?: Clock; configure?: (c: ResolvedConfig) => ResolvedConfig } = {},
): Promise<BenchEngine> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ce-bench-'));
  chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'pg'),
    port: await freePort(),
    persistent: false,
    flags: options.pgStats
      ? [
          '-c',
          'shared_preload_libraries=pg_stat_statements',
          '-c',
          'pg_stat_statements.track=all',
          '-c',
          'pg_stat_statements.track_planning=on',
        ]
      : [],
  });
  const redis = await startLocalRedis({
    dataDir: path.join(dir, 'redis'),
    port: await freePort(),
    persistent: false,
  });
  await applyMigrations(pg.url);
  const base = loadConfig({ ...process.env, LOG_LEVEL: 'warn', SEED_DEMO: 'false', NODE_ENV: 'development' });
  const config = (options.configure ?? ((c) => c))({
    ...base,
    databaseUrl: pg.url,
    redisUrl: redis.url,
    jwt: { ...base.jwt, secret: 'bench-secret-bench-secret-bench-secret-0' },
    encryptionKey: Buffer.alloc(32, 9),
  });
  const app = await createApp(config, { clock: options.clock });
  await app.listen(0, '127.0.0.1');
  config.publicUrl = `http://127.0.0.1:${(app.getHttpServer().address() as net.AddressInfo).port}`;
  const url = `${config.publicUrl}/graphql`;
  let headers: Record<string, string> = { 'content-type': 'application/json' };
  const gql: Gql = async (query, variables) => {
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  return {
    app,
    config,
    prisma: app.get(PrismaService).db,
    gql,
    async signIn() {
      const { signUp } = await gql(
        `mutation { signUp(input: { email: "bench@example.com", password: "bench-password" }) { accessToken } }`,
      );
      headers = { ...headers, authorization: `Bearer ${signUp.accessToken}` };
      const { createOrganization } = await gql(
        `mutation { createOrganization(input: { name: "Bench" }) { id } }`,
      );
      headers = { ...headers, 'x-organization-id': createOrganization.id };
      return createOrganization.id as string;
    },
    async stop() {
      await app.close();
      await redis.stop();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The statements PostgreSQL spent its time on since `resetPgStats` (BENCH_PG_STATS). */
export async function printPgStats(prisma: PrismaService['db'], limit = 15) {
  const top = await prisma.$queryRawUnsafe<
    { ms: number; plan: number; calls: bigint; rows: bigint; q: string }[]
  >(
    `SELECT round(total_exec_time)::float AS ms, round(total_plan_time)::float AS plan, calls, rows,
            left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS q
     FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT ${limit}`,
  );
  for (const r of top)
    console.log(
      String(r.ms).padStart(8),
      'ms',
      String(r.plan).padStart(6),
      'ms planning',
      String(r.calls).padStart(7),
      'calls',
      String(r.rows).padStart(7),
      'rows',
      r.q,
    );
}

export async function resetPgStats(prisma: PrismaService['db']) {
  await prisma.$executeRawUnsafe('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await prisma.$queryRawUnsafe('SELECT pg_stat_statements_reset()');
}
