import { resolveServices, stopServices } from '../common/local-services/resolve-services.js';
import { loadConfig } from '../config/config.js';
import { applyMigrations, createMigration } from './migrator.js';

/**
 * `npm run migrate` applies pending migrations; `npm run migrate:create -- <name>` writes a new one
 * from the change to prisma/schema.prisma. Without DATABASE_URL it uses the embedded PostgreSQL.
 */
async function run() {
  const [command = 'deploy', name = 'change'] = process.argv.slice(2);
  const { config, started } = await resolveServices(
    { ...loadConfig(), redisUrl: 'redis://unused' },
    console.log,
  );
  try {
    if (command === 'create') {
      const dir = await createMigration(config.databaseUrl, name);
      console.log(dir ? `Created ${dir}` : 'schema.prisma matches the migrations: nothing to create.');
    } else {
      const applied = await applyMigrations(config.databaseUrl);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
    }
  } finally {
    await stopServices(started);
  }
}

run().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
