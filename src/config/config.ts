import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseAllowlist } from '../common/net/host-guard.js';
import { weakEncryptionKey, weakJwtSecret } from './secret-strength.js';

/**
 * The engine's whole configuration. `loadConfig` is the one place that reads process.env;
 * everything else receives the typed, validated `AppConfig`.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.join(' or ')}//`,
  );

export const APP_ROLES = ['all', 'api', 'worker', 'scheduler'] as const;
export type AppRole = (typeof APP_ROLES)[number];

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  APP_ROLE: z.enum(APP_ROLES).default('all'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(3000),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_PREPARED_STATEMENTS: bool.default(true),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  DATA_DIR: z.string().min(1).optional(),
  XDG_DATA_HOME: z.string().min(1).optional(),
  HOME: z.string().min(1).optional(),
  EMBEDDED_PG_PORT: int(1, 65535).default(54329),
  EMBEDDED_REDIS_PORT: int(1, 65535).default(63799),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_PREVIOUS_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_ISSUER: z.string().min(1).default('campaign-engine'),
  JWT_AUDIENCE: z.string().min(1).default('campaign-engine-api'),
  JWT_TTL_SECONDS: int(60, 60 * 60 * 24 * 30).default(60 * 60 * 12),
  ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
    .optional(),
  GRAPHQL_MAX_DEPTH: int(2, 50).default(10),
  GRAPHQL_MAX_COMPLEXITY: int(10, 100000).default(2000),
  GRAPHQL_PLAYGROUND: bool.optional(),
  GRAPHQL_INTROSPECTION: bool.optional(),
  GRAPHQL_MAX_TOKENS: int(1000, 1_000_000).default(20_000),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[\w:-]+$/, 'letters, digits, _ : - only')
    .default('ce'),
  QUEUE_LOCK_MS: int(5000, 3600000).default(120000),
  SEED_DEMO: bool.optional(),
  DELIVERY_MAX_ATTEMPTS: int(1, 20).default(3),
  DELIVERY_RETRY_BASE_MS: int(10, 3600000).default(30000),
  DELIVERY_STUCK_MS: int(1000, 86400000).default(300000),
  DELIVERY_CONCURRENCY: int(1, 200).default(5),
  DISPATCH_CHUNK: int(1, 10000).default(500),
  DELIVERY_BATCH_SIZE: int(1, 1000).default(100),
  DELIVERY_BATCH_CONCURRENCY: int(1, 50).default(4),
  RENDER_THREADS: int(0, 64).optional(),
  RENDER_THREAD_IDLE_MS: int(100, 3600000).default(10000),
  RUNNER_TICK_MS: int(100, 600000).default(1000),
  MEMORY_TRIM_MS: int(0, 3600000).default(30000),
  MAILBOX_HOST_ALLOWLIST: z.string().optional(),
  TRUST_PROXY: z.string().optional(),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: int(1, 1000).default(10),
  LOGIN_MAX_FAILURES_PER_ADDRESS: int(1, 100000).default(100),
  LOGIN_FAILURE_WINDOW_SECONDS: int(10, 86400).default(900),
  SUBSCRIPTION_RECHECK_MS: int(100, 3600000).default(30000),
  GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  GOOGLE_AUTH_URL: url(['http:', 'https:']).default('https://accounts.google.com/o/oauth2/v2/auth'),
  GOOGLE_TOKEN_URL: url(['http:', 'https:']).default('https://oauth2.googleapis.com/token'),
  GMAIL_API_URL: url(['http:', 'https:']).default('https://gmail.googleapis.com/'),
  MICROSOFT_CLIENT_ID: z.string().min(1).optional(),
  MICROSOFT_CLIENT_SECRET: z.string().min(1).optional(),
  MICROSOFT_AUTHORIZE_URL: url(['http:', 'https:']).default(
    'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
  ),
  MICROSOFT_TOKEN_URL: url(['http:', 'https:']).default(
    'https://login.microsoftonline.com/common/oauth2/v2.0/token',
  ),
  MICROSOFT_GRAPH_URL: url(['http:', 'https:']).default('https://graph.microsoft.com/v1.0'),
  OAUTH_STATE_TTL_SECONDS: int(30, 3600).default(600),
  PROVIDER_TIMEOUT_MS: int(100, 600000).default(30000),
  PROVIDER_RECONCILE_LAG_MS: int(0, 86400000).default(300000),
  INBOUND_POLL: bool.default(true),
  INBOUND_POLL_INTERVAL_SECONDS: int(1, 86400).default(60),
  INBOUND_POLL_MAX_MESSAGES: int(1, 1000).default(50),
  INBOUND_POLL_LEASE_SECONDS: int(10, 86400).default(600),
});

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  role: AppRole;
  host: string;
  port: number;
  publicUrl: string;
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  /** Unset means: start an embedded PostgreSQL under dataDir. */
  databaseUrl?: string;
  /**
   * The delivery hot path prepares its statements (once per connection). Off behind a pooler that
   * cannot keep prepared statements across transactions (PgBouncer in transaction mode before 1.21).
   */
  databasePreparedStatements: boolean;
  /** Unset means: start a local redis-server under dataDir. */
  redisUrl?: string;
  dataDir: string;
  embedded: { postgresPort: number; redisPort: number };
  jwt: {
    secret?: string;
    /** The secret before the last rotation: tokens it signed stay valid until they expire. */
    previousSecret?: string;
    issuer: string;
    audience: string;
    ttlSeconds: number;
  };
  /**
   * Express's `trust proxy`: which proxies may tell the client address in X-Forwarded-For
   * (false: none, the socket's address is the client's).
   */
  trustProxy: boolean | number | string;
  /** Failed logins allowed per window, per account and per client address (Redis-backed). */
  login: { maxFailuresPerAccount: number; maxFailuresPerAddress: number; windowSeconds: number };
  /**
   * How often a running subscription re-checks its subscriber's access even when nothing happens
   * (it also re-checks before every event and whenever a membership changes through the API).
   */
  subscriptionRecheckMs: number;
  encryptionKey?: Buffer;
  graphql: {
    maxDepth: number;
    maxComplexity: number;
    /** Tokens graphql-js reads before refusing a document (parse cost). */
    maxTokens: number;
    playground: boolean;
    /** Schema introspection; off in production unless enabled. */
    introspection: boolean;
    /** No "Did you mean …?" hints in validation errors (production). */
    hideSchemaDetails: boolean;
  };
  queue: { prefix: string; lockMs: number };
  seedDemo: boolean;
  delivery: {
    /** Attempts per recipient for transient failures. */
    maxAttempts: number;
    /** First retry delay; doubles each attempt, with jitter; Retry-After wins when larger. */
    retryBaseMs: number;
    /** A recipient QUEUED or SENDING this long without progress is healed by the runner. */
    stuckMs: number;
    /** Concurrent sends per worker process. */
    concurrency: number;
    /** Most messages of one mailbox in flight (claimed, not yet settled) at a time. */
    chunk: number;
    /** Messages per send job. */
    batchSize: number;
    /** Provider calls at once within one send job (mailboxes without a gap, one-by-one providers). */
    batchConcurrency: number;
    /**
     * The pipeline's backstop on one provider call (a little over PROVIDER_TIMEOUT_MS, which the
     * adapters enforce themselves, and below the stuck time); a send without an answer by then has
     * an unknown outcome.
     */
    providerTimeoutMs: number;
    /** Threads that render messages off the event loop; 0 renders on it. */
    renderThreads: number;
    /** A render thread with nothing to do for this long stops (its memory goes back); the next render starts one. */
    renderIdleMs: number;
  };
  /** How often the runner looks for due work. */
  runnerTickMs: number;
  /** How often freed memory that malloc keeps goes back to the system (docs/adr/011); 0 never. */
  memoryTrimMs: number;
  /**
   * Mailbox hosts (host, IP or CIDR, optionally `:port`) allowed although they are not public
   * addresses; every other loopback, private, link-local or reserved destination is refused.
   */
  mailboxHostAllowlist: string[];
  /** Google OAuth client and endpoints (Gmail mailboxes); the URLs point at fakes in tests. */
  google: OAuthClientConfig & { apiUrl: string };
  /** Microsoft identity platform client and endpoints (Microsoft 365 mailboxes). */
  microsoft: OAuthClientConfig & { graphUrl: string };
  oauth: { stateTtlSeconds: number };
  providers: {
    /** Overall deadline of one provider call (token refresh, send, lookup, one inbound poll step). */
    timeoutMs: number;
    /**
     * How long after a send whose outcome is unknown the provider's search may still miss it
     * (Gmail's index, Exchange's move to Sent Items): only a message still absent after this is
     * sent again. Gmail and Graph use it; 5 minutes when absent.
     */
    reconcileLagMs?: number;
  };
  inbound: {
    /** Whether worker processes poll connected mailboxes for replies and bounces. */
    enabled: boolean;
    /** Seconds between two polls of one mailbox. */
    intervalSeconds: number;
    /** At most this many messages fetched per mailbox per poll (the provider quota a poll spends). */
    maxMessages: number;
    /** A poll not finished within this is considered dead and the mailbox may be polled again. */
    leaseSeconds: number;
  };
}

export interface OAuthClientConfig {
  clientId?: string;
  clientSecret?: string;
  authorizeUrl: string;
  tokenUrl: string;
}

/** A config whose services have been resolved (embedded ones started, secrets in place). */
export interface ResolvedConfig extends AppConfig {
  databaseUrl: string;
  redisUrl: string;
  jwt: AppConfig['jwt'] & { secret: string };
  encryptionKey: Buffer;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const blankAsUnset = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(blankAsUnset);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const c = parsed.data;
  const problems: string[] = [];
  const mailboxHostAllowlist = (c.MAILBOX_HOST_ALLOWLIST ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  try {
    parseAllowlist(mailboxHostAllowlist);
  } catch (e) {
    problems.push(`MAILBOX_HOST_ALLOWLIST: ${(e as Error).message}`);
  }
  if (c.NODE_ENV === 'production') {
    if (!c.JWT_SECRET) problems.push('JWT_SECRET: required when NODE_ENV=production');
    if (!c.ENCRYPTION_KEY) problems.push('ENCRYPTION_KEY: required when NODE_ENV=production');
    // Development secrets in production: published or placeholder values, or not random at all.
    for (const [name, value] of [
      ['JWT_SECRET', c.JWT_SECRET],
      ['JWT_PREVIOUS_SECRET', c.JWT_PREVIOUS_SECRET],
    ] as const) {
      const weak = value && weakJwtSecret(value);
      if (weak) problems.push(`${name}: ${weak}`);
    }
    const weakKey = c.ENCRYPTION_KEY && weakEncryptionKey(Buffer.from(c.ENCRYPTION_KEY, 'base64'));
    if (weakKey) problems.push(`ENCRYPTION_KEY: ${weakKey}`);
  }
  for (const p of ['GOOGLE', 'MICROSOFT'] as const) {
    if (!c[`${p}_CLIENT_ID`] !== !c[`${p}_CLIENT_SECRET`]) {
      problems.push(`${p}_CLIENT_ID / ${p}_CLIENT_SECRET: set both or neither`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    env: c.NODE_ENV,
    role: c.APP_ROLE,
    host: c.HOST,
    port: c.PORT,
    publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ''),
    logLevel: c.LOG_LEVEL,
    databaseUrl: c.DATABASE_URL,
    databasePreparedStatements: c.DATABASE_PREPARED_STATEMENTS,
    redisUrl: c.REDIS_URL,
    dataDir: c.DATA_DIR ?? defaultDataDir(c.XDG_DATA_HOME, c.HOME),
    embedded: { postgresPort: c.EMBEDDED_PG_PORT, redisPort: c.EMBEDDED_REDIS_PORT },
    jwt: {
      secret: c.JWT_SECRET,
      previousSecret: c.JWT_PREVIOUS_SECRET,
      issuer: c.JWT_ISSUER,
      audience: c.JWT_AUDIENCE,
      ttlSeconds: c.JWT_TTL_SECONDS,
    },
    encryptionKey: c.ENCRYPTION_KEY ? Buffer.from(c.ENCRYPTION_KEY, 'base64') : undefined,
    graphql: {
      maxDepth: c.GRAPHQL_MAX_DEPTH,
      maxComplexity: c.GRAPHQL_MAX_COMPLEXITY,
      maxTokens: c.GRAPHQL_MAX_TOKENS,
      playground: c.GRAPHQL_PLAYGROUND ?? c.NODE_ENV !== 'production',
      introspection: c.GRAPHQL_INTROSPECTION ?? c.NODE_ENV !== 'production',
      hideSchemaDetails: c.NODE_ENV === 'production',
    },
    queue: { prefix: c.QUEUE_PREFIX, lockMs: c.QUEUE_LOCK_MS },
    seedDemo: c.SEED_DEMO ?? (c.NODE_ENV !== 'production' && !c.DATABASE_URL),
    delivery: {
      maxAttempts: c.DELIVERY_MAX_ATTEMPTS,
      retryBaseMs: c.DELIVERY_RETRY_BASE_MS,
      stuckMs: c.DELIVERY_STUCK_MS,
      concurrency: c.DELIVERY_CONCURRENCY,
      chunk: c.DISPATCH_CHUNK,
      batchSize: c.DELIVERY_BATCH_SIZE,
      batchConcurrency: c.DELIVERY_BATCH_CONCURRENCY,
      // Below the stuck time, so a live worker always has an answer before recovery would step in.
      providerTimeoutMs: Math.min(c.PROVIDER_TIMEOUT_MS + 5000, Math.floor(c.DELIVERY_STUCK_MS / 2)),
      // A thread per core (up to four) beside the event loop, which mostly waits on I/O; none on one core.
      renderThreads:
        c.RENDER_THREADS ?? (os.availableParallelism() > 1 ? Math.min(4, os.availableParallelism()) : 0),
      renderIdleMs: c.RENDER_THREAD_IDLE_MS,
    },
    runnerTickMs: c.RUNNER_TICK_MS,
    memoryTrimMs: c.MEMORY_TRIM_MS,
    google: {
      clientId: c.GOOGLE_CLIENT_ID,
      clientSecret: c.GOOGLE_CLIENT_SECRET,
      authorizeUrl: c.GOOGLE_AUTH_URL,
      tokenUrl: c.GOOGLE_TOKEN_URL,
      apiUrl: c.GMAIL_API_URL.replace(/\/?$/, '/'),
    },
    microsoft: {
      clientId: c.MICROSOFT_CLIENT_ID,
      clientSecret: c.MICROSOFT_CLIENT_SECRET,
      authorizeUrl: c.MICROSOFT_AUTHORIZE_URL,
      tokenUrl: c.MICROSOFT_TOKEN_URL,
      graphUrl: c.MICROSOFT_GRAPH_URL.replace(/\/$/, ''),
    },
    oauth: { stateTtlSeconds: c.OAUTH_STATE_TTL_SECONDS },
    providers: { timeoutMs: c.PROVIDER_TIMEOUT_MS, reconcileLagMs: c.PROVIDER_RECONCILE_LAG_MS },
    inbound: {
      enabled: c.INBOUND_POLL,
      intervalSeconds: c.INBOUND_POLL_INTERVAL_SECONDS,
      maxMessages: c.INBOUND_POLL_MAX_MESSAGES,
      leaseSeconds: c.INBOUND_POLL_LEASE_SECONDS,
    },
    mailboxHostAllowlist,
    trustProxy: parseTrustProxy(c.TRUST_PROXY),
    login: {
      maxFailuresPerAccount: c.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      maxFailuresPerAddress: c.LOGIN_MAX_FAILURES_PER_ADDRESS,
      windowSeconds: c.LOGIN_FAILURE_WINDOW_SECONDS,
    },
    subscriptionRecheckMs: c.SUBSCRIPTION_RECHECK_MS,
  };
}

/**
 * Where embedded services and generated development secrets live unless DATA_DIR says otherwise:
 * the user's data directory (XDG), outside any project tree, so no template, static route or
 * Docker build context of the project can reach it.
 */
function defaultDataDir(xdgDataHome: string | undefined, home: string | undefined): string {
  return path.join(xdgDataHome ?? path.join(home ?? os.homedir(), '.local', 'share'), 'campaign-engine');
}

/** TRUST_PROXY as Express takes it: true/false, a hop count, or addresses and ranges (`loopback, 10.0.0.0/8`). */
function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || /^(false|0|no)$/i.test(value)) return false;
  if (/^(true|yes)$/i.test(value)) return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/**
 * Just what `npm run migrate` needs: the database (or the embedded one's place), nothing else, so
 * migrations can run in production with only DATABASE_URL and never generate secrets.
 */
export function loadDatabaseConfig(env: Record<string, string | undefined> = process.env) {
  const blankAsUnset = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema
    .pick({ DATABASE_URL: true, DATA_DIR: true, XDG_DATA_HOME: true, HOME: true, EMBEDDED_PG_PORT: true })
    .safeParse(blankAsUnset);
  if (!parsed.success)
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const c = parsed.data;
  return {
    databaseUrl: c.DATABASE_URL,
    dataDir: c.DATA_DIR ?? defaultDataDir(c.XDG_DATA_HOME, c.HOME),
    postgresPort: c.EMBEDDED_PG_PORT,
  };
}

export function runsApi(role: AppRole) {
  return role === 'all' || role === 'api';
}
export function runsWorker(role: AppRole) {
  return role === 'all' || role === 'worker';
}
export function runsScheduler(role: AppRole) {
  return role === 'all' || role === 'scheduler';
}
