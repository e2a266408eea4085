// Jest loads global setup outside its ESM transform, so this file is plain JavaScript and loads
// the TypeScript service starters through tsx.
import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';

const load = (p) => tsImport(p, import.meta.url);

export const TEMPLATE_DB = 'ce_template';

/**
 * Starts one real PostgreSQL (embedded) and one real redis-server for the whole run, and a
 * template database with every migration applied; each test file clones it (CREATE DATABASE …
 * TEMPLATE) so files never see each other's rows.
 */
export default async function globalSetup() {
  const { startEmbeddedPostgres, adminUrl } = await load(
    '../../src/common/local-services/embedded-postgres.ts',
  );
  const { startLocalRedis } = await load('../../src/common/local-services/local-redis.ts');
  const { applyMigrations } = await load('../../src/prisma/migrator.ts');
  const { freePort } = await load('./ports.ts');

  const root = mkdtempSync(path.join(os.tmpdir(), 'ce-test-'));
  chmodSync(root, 0o755); // the embedded server runs as the postgres user when we are root
  const pgPort = await freePort();
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(root, 'pg'),
    port: pgPort,
    persistent: false,
    database: TEMPLATE_DB,
  });
  await applyMigrations(pg.url);
  const redis = await startLocalRedis({
    dataDir: path.join(root, 'redis'),
    port: await freePort(),
    persistent: false,
  });
  process.env.TEST_PG_ADMIN_URL = adminUrl(pgPort);
  process.env.TEST_PG_TEMPLATE = TEMPLATE_DB;
  process.env.TEST_REDIS_URL = redis.url;
  process.env.TEST_ROOT = root;
  globalThis.__CE_SERVICES__ = [redis, pg];
}
