import path from 'node:path';
import { startEmbeddedPostgres } from '../common/local-services/embedded-postgres.js';
import { ConfigError, loadDatabaseConfig } from '../config/config.js';
import { applyMigrations, createMigration } from './migrator.js';

/**
 * `npm run migrate` applies pending migrations; `npm run migrate:create -- <name>` writes a new one
 * from the change to prisma/schema.prisma. It needs only DATABASE_URL (no secrets, no Redis, and it
 * writes nothing but the migrations); without it, it uses the embedded PostgreSQL under DATA_DIR.
 */
async function run() {
  const [command = 'deploy', name = 'change'] = process.argv.slice(2);
  const config = loadDatabaseConfig();
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: path.join(config.dataDir, 'postgres'),
        port: config.postgresPort,
        persistent: true,
      });
  const databaseUrl = config.databaseUrl ?? embedded!.url;
  try {
    if (command === 'create') {
      const dir = await createMigration(databaseUrl, name);
      console.log(dir ? `Created ${dir}` : 'schema.prisma matches the migrations: nothing to create.');
    } else {
      const applied = await applyMigrations(databaseUrl);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
    }
  } finally {
    await embedded?.stop();
  }
}

run().catch((e: unknown) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
