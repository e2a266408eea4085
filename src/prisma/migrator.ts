import { createHash } from 'node:crypto';
import { readFile, readdir, mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

/**
 * Applies and creates Prisma migrations with Prisma's own schema engine compiled to
 * WebAssembly, so migrations work where the native engine cannot be downloaded.
 * The folder format is Prisma's, so `prisma migrate deploy` works wherever it can run.
 */

const require = createRequire(import.meta.url);
const NO_FILTERS = { externalTables: [], externalEnums: [] };

export interface MigratorPaths {
  schemaPath: string;
  migrationsDir: string;
}

export function defaultPaths(root = process.cwd()): MigratorPaths {
  return {
    schemaPath: path.join(root, 'prisma/schema.prisma'),
    migrationsDir: path.join(root, 'prisma/migrations'),
  };
}

type Engine = {
  applyMigrations(input: unknown): Promise<{ appliedMigrationNames: string[] }>;
  diff(input: unknown): Promise<{ exitCode: number; stdout: string | null }>;
  free(): void;
};

let wasmLoaded: Promise<{ SchemaEngine: { new: (...a: unknown[]) => Promise<Engine> } }> | undefined;

/** Instantiates the engine's WebAssembly by hand, so no --experimental-wasm-modules flag is needed. */
function loadWasm() {
  wasmLoaded ??= (async () => {
    const pkgDir = path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
    const bg = (await import(path.join(pkgDir, 'schema_engine_bg.js'))) as Record<string, unknown> & {
      __wbg_set_wasm(w: unknown): void;
    };
    const bytes = await readFile(path.join(pkgDir, 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bg as never });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
    return bg as never;
  })();
  return wasmLoaded;
}

type ScriptRunner = {
  executeScript(script: string): Promise<void>;
  underlyingDriver(): pg.Pool;
  onError(error: unknown): never;
};

/**
 * The pg adapter runs a migration script by splitting it on every `;`, which breaks PL/pgSQL
 * bodies (the delivery counter triggers) and any string literal holding a semicolon. PostgreSQL
 * runs a multi-statement script sent whole (simple query protocol), as Prisma's native engine does.
 */
function wholeScripts(factory: PrismaPg): PrismaPg {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const runner = adapter as unknown as ScriptRunner;
    runner.executeScript = async (script: string) => {
      try {
        // One implicit transaction: a failing statement leaves nothing of the script behind.
        await runner.underlyingDriver().query(script);
      } catch (error) {
        runner.onError(error); // the adapter's own error form, which the engine reads
      }
    };
    return adapter;
  };
  return factory;
}

async function withEngine<T>(connectionString: string, paths: MigratorPaths, fn: (e: Engine) => Promise<T>) {
  const { SchemaEngine } = await loadWasm();
  const schema = await readFile(paths.schemaPath, 'utf8');
  // Our own pool, so that every connection is closed when we are done (the engine keeps none open).
  const pool = new pg.Pool({ connectionString, max: 2 });
  const adapter = bindMigrationAwareSqlAdapterFactory(wholeScripts(new PrismaPg(pool)));
  const logs: string[] = [];
  const engine = await SchemaEngine.new(
    { datamodels: [[paths.schemaPath, schema]] },
    (log: string) => logs.push(log),
    adapter,
  );
  try {
    return await fn(engine);
  } finally {
    engine.free();
    await pool.end();
  }
}

async function migrationDirNames(paths: MigratorPaths) {
  if (!existsSync(paths.migrationsDir)) return [];
  return (await readdir(paths.migrationsDir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

async function migrationList(paths: MigratorPaths) {
  const dirs = await migrationDirNames(paths);
  const lockPath = path.join(paths.migrationsDir, 'migration_lock.toml');
  return {
    baseDir: paths.migrationsDir,
    lockfile: {
      path: 'migration_lock.toml',
      content: existsSync(lockPath) ? await readFile(lockPath, 'utf8') : null,
    },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      dirs.map(async (name) => ({
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: {
            tag: 'ok' as const,
            value: await readFile(path.join(paths.migrationsDir, name, 'migration.sql'), 'utf8'),
          },
        },
      })),
    ),
  };
}

/** Whether this process has loaded Prisma's schema engine (for tests of the fast path). */
export const schemaEngineLoaded = () => wasmLoaded !== undefined;

/**
 * The migration folders the database has not applied, read with plain SQL from Prisma's own
 * `_prisma_migrations` table (checksum = SHA-256 of migration.sql, as Prisma computes it). Null
 * when only the schema engine can judge: no table yet, a failed or rolled-back migration, an
 * edited migration, or one the folders do not have.
 */
export async function pendingMigrations(
  connectionString: string,
  paths = defaultPaths(),
): Promise<string[] | null> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows: exists } = await client.query<{ t: string | null }>(
      `SELECT to_regclass('_prisma_migrations')::text AS t`,
    );
    if (!exists[0].t) return null;
    const { rows } = await client.query<{
      name: string;
      checksum: string;
      finished: boolean;
      rolledBack: boolean;
    }>(
      `SELECT migration_name AS name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS "rolledBack"
       FROM _prisma_migrations`,
    );
    const live = rows.filter((r) => !r.rolledBack);
    if (live.some((r) => !r.finished) || rows.some((r) => r.rolledBack)) return null;
    const applied = new Map(live.map((r) => [r.name, r.checksum]));
    const dirs = await migrationDirNames(paths);
    if ([...applied.keys()].some((name) => !dirs.includes(name))) return null;
    const pending: string[] = [];
    for (const dir of dirs) {
      const checksum = applied.get(dir);
      if (checksum === undefined) pending.push(dir);
      else {
        const sql = await readFile(path.join(paths.migrationsDir, dir, 'migration.sql'));
        if (createHash('sha256').update(sql).digest('hex') !== checksum) return null;
      }
    }
    return pending;
  } finally {
    await client.end();
  }
}

/**
 * Applies every migration the database has not seen yet; returns their names. When plain SQL
 * shows nothing is pending (every boot but the first after a release), the schema engine is not
 * even loaded: that saves each process the WebAssembly instantiation.
 */
export async function applyMigrations(connectionString: string, paths = defaultPaths()): Promise<string[]> {
  if ((await pendingMigrations(connectionString, paths))?.length === 0) return [];
  return withEngine(connectionString, paths, async (engine) => {
    const out = await engine.applyMigrations({
      migrationsList: await migrationList(paths),
      filters: NO_FILTERS,
    });
    return out.appliedMigrationNames;
  });
}

function datamodel(file: string, content: string) {
  return { tag: 'schemaDatamodel' as const, files: [{ path: file, content }] };
}

/**
 * SQL that turns schema `from` (null = empty database) into schema `to`; '' when they agree.
 * The engine insists on a reachable database at start but neither reads nor writes it here.
 */
export async function diffSchemas(
  connectionString: string,
  from: string | null,
  to: string,
  paths = defaultPaths(),
) {
  return withEngine(connectionString, paths, async (engine) => {
    const schemaPath = paths.schemaPath;
    const out = await engine.diff({
      from: from === null ? { tag: 'empty' } : datamodel(schemaPath, from),
      to: datamodel(schemaPath, to),
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    });
    return (out.stdout ?? '').replace(/^-- This is an empty migration\.\s*$/m, '').trim();
  });
}

/**
 * Writes prisma/migrations/<timestamp>_<name>/migration.sql with what schema.prisma adds to the
 * schema of the newest migration. Each migration keeps a copy of the schema it produced
 * (schema.prisma beside migration.sql), so new migrations are diffs of two schema files and
 * need no shadow database. Returns the new folder, or null when nothing changed.
 */
export async function createMigration(connectionString: string, name: string, paths = defaultPaths()) {
  const current = await readFile(paths.schemaPath, 'utf8');
  const dirs = await migrationDirNames(paths);
  const last = dirs.at(-1);
  const previous = last
    ? await readFile(path.join(paths.migrationsDir, last, 'schema.prisma'), 'utf8')
    : null;
  const sql = await diffSchemas(connectionString, previous, current, paths);
  if (!sql) return null;
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = path.join(paths.migrationsDir, `${stamp}_${name.replace(/\W+/g, '_')}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'migration.sql'), sql + '\n');
  await writeFile(path.join(dir, 'schema.prisma'), current);
  const lock = path.join(paths.migrationsDir, 'migration_lock.toml');
  if (!existsSync(lock)) {
    await writeFile(
      lock,
      '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n',
    );
  }
  return dir;
}
