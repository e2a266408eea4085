import { readFile } from 'node:fs/promises';
import pg from 'pg';
import {
  applyMigrations,
  defaultPaths,
  diffSchemas,
  pendingMigrations,
  schemaEngineLoaded,
} from '../src/prisma/migrator.js';
import { emptyDatabase, freshDatabase } from './support/test-db.js';

/** Everything PostgreSQL knows about a schema that a migration can change, in a stable order. */
async function catalog(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const q = async (sql: string) => (await client.query(sql)).rows.map((r) => JSON.stringify(r));
    return {
      columns: await q(`SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default
        FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
        ORDER BY 1, 2`),
      indexes: await q(`SELECT tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1, 2`),
      constraints: await q(`SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS def
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations'
        ORDER BY 1, 2`),
      enums: await q(`SELECT t.typname, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
        ORDER BY 1, e.enumsortorder`),
    };
  } finally {
    await client.end();
  }
}

describe('prisma/migrations and prisma/schema.prisma', () => {
  it('checks a migrated database with plain SQL, without loading the schema engine', async () => {
    const migrated = await freshDatabase('uptodate'); // a clone of the migrated template
    expect(await pendingMigrations(migrated)).toEqual([]);
    expect(await applyMigrations(migrated)).toEqual([]);
    expect(schemaEngineLoaded()).toBe(false);
    // A fresh database needs the engine, and the SQL check agrees with it afterwards.
    const empty = await emptyDatabase('pending');
    expect(await pendingMigrations(empty)).toBeNull();
    const applied = await applyMigrations(empty);
    expect(schemaEngineLoaded()).toBe(true);
    expect(await pendingMigrations(empty)).toEqual([]);
    // One migration forgotten: the SQL check names it, the engine applies it.
    const client = new pg.Client({ connectionString: empty });
    await client.connect();
    await client.query(`DELETE FROM _prisma_migrations WHERE migration_name = $1`, [applied.at(-1)]);
    await client.end();
    expect(await pendingMigrations(empty)).toEqual([applied.at(-1)]);
  });

  it('produce the same database', async () => {
    const migrated = await emptyDatabase('migrated');
    const applied = await applyMigrations(migrated);
    expect(applied.length).toBeGreaterThan(0);
    expect(await applyMigrations(migrated)).toEqual([]); // idempotent

    const fromSchema = await emptyDatabase('fromschema');
    const schema = await readFile(defaultPaths().schemaPath, 'utf8');
    const script = await diffSchemas(fromSchema, null, schema);
    const client = new pg.Client({ connectionString: fromSchema });
    await client.connect();
    await client.query(script);
    await client.end();

    const [a, b] = [await catalog(migrated), await catalog(fromSchema)];
    expect(a.columns.length).toBeGreaterThan(50);
    // On failure: run `npm run migrate:create -- <name>` after changing schema.prisma.
    expect(a).toEqual(b);
  });
});
