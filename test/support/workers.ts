import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import type { TestApp } from './test-app.js';

/** Compiles the engine (dist/) once per file, for worker processes started with `node dist/src/main.js`. */
export function buildEngine() {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}

/**
 * The environment of a worker process sharing the test app's database, Redis and queue prefix.
 * DELIVERY_STUCK_MS follows the test app's, so the recovery sweep (in the test process) and the
 * workers' heartbeats agree on when a worker is dead.
 */
export function workerEnv(t: TestApp, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    APP_ROLE: 'worker',
    LOG_LEVEL: 'error',
    DATABASE_URL: t.config.databaseUrl,
    REDIS_URL: t.config.redisUrl,
    QUEUE_PREFIX: t.config.queue.prefix,
    JWT_SECRET: t.config.jwt.secret,
    ENCRYPTION_KEY: t.config.encryptionKey.toString('base64'),
    PUBLIC_URL: t.url,
    SEED_DEMO: 'false',
    INBOUND_POLL: 'false',
    DELIVERY_STUCK_MS: String(t.config.delivery.stuckMs),
    DELIVERY_RETRY_BASE_MS: String(t.config.delivery.retryBaseMs),
    MAILBOX_HOST_ALLOWLIST: t.config.mailboxHostAllowlist.join(','),
    ...extra,
  };
}

export class Workers {
  readonly all: ChildProcess[] = [];

  constructor(private readonly env: () => Record<string, string>) {}

  start(extra: Record<string, string> = {}) {
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      env: { ...this.env(), ...extra },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    this.all.push(child);
    return child;
  }

  /** SIGKILL: no shutdown hook runs, the lease is not given back, Bull jobs stay locked. */
  async kill(child: ChildProcess) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async killAll() {
    await Promise.all(this.all.map((c) => this.kill(c)));
  }
}

/**
 * Holds a PostgreSQL lock from a connection of its own until released: the test freezes the
 * engine at a precise point (e.g. the mailbox row a gapped hand-off must update, or the sandbox's
 * table its "provider call" writes to) without any hook in the engine.
 */
export async function holdLock(databaseUrl: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined); // the server going away at the end of the run
  await client.connect();
  await client.query('BEGIN');
  const held = await client.query(sql, params);
  return {
    /** Rows the statement locked or inserted. */
    rows: held.rowCount ?? 0,
    /** Backends of other connections waiting for a lock in this database. */
    async waiters() {
      // Activity is a snapshot per transaction unless cleared: this connection stays in one.
      await client.query('SELECT pg_stat_clear_snapshot()');
      const r = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
      );
      return r.rows[0].n;
    },
    async release() {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

/**
 * Makes the sandbox "provider" hang on the messages at `positions` (0-based, in claim order) of a
 * group's mailbox: a transaction of the test's inserts those messages' sandbox rows (their
 * Message-IDs are deterministic) and stays open, so the INSERT of each chunk holding one waits on
 * the unique key. Messages before them go out; a worker that sends one stops inside the provider
 * call, its chunk handed off. Call after sendCampaign (which creates the messages) and before any
 * worker runs. On release, a waiting INSERT of a killed worker completes: the provider took what
 * it was given.
 */
export async function hangSandboxAt(
  databaseUrl: string,
  groupId: string,
  senderAccountId: string,
  positions: number[],
) {
  const lock = await holdLock(
    databaseUrl,
    `WITH ranked AS (
       SELECT m.id, m."organizationId", m."senderAccountId", m.email, s.email AS sender,
              row_number() OVER (ORDER BY m."createdAt", m.id) - 1 AS pos
       FROM "OutboundMessage" m JOIN "SenderAccount" s ON s.id = m."senderAccountId"
       WHERE m."groupId" = $1 AND m."senderAccountId" = $2 AND m.status = 'PENDING'
     )
     INSERT INTO "SandboxMessage" ("organizationId", "senderAccountId", "messageId", "fromAddress", "toAddress", subject, raw)
     SELECT "organizationId", "senderAccountId", '<m.' || id || '@' || split_part(sender, '@', 2) || '>', sender, email, 'held', 'held'
     FROM ranked WHERE pos = ANY($3::int[])`,
    [groupId, senderAccountId, positions],
  );
  if (lock.rows !== positions.length) {
    await lock.release();
    throw new Error(`not every position of ${positions.join(', ')} has a PENDING message`);
  }
  return lock;
}
