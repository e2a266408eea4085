import { randomBytes } from 'node:crypto';
import { ensureDatabase } from '../../src/common/local-services/embedded-postgres.js';

/** A fresh database for one test file, cloned from the migrated template. */
export async function freshDatabase(label = 'db'): Promise<string> {
  const admin = process.env.TEST_PG_ADMIN_URL!;
  const name = `ce_${label.replace(/\W/g, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(admin, name, process.env.TEST_PG_TEMPLATE);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh, empty database (no migrations applied). */
export async function emptyDatabase(label = 'empty'): Promise<string> {
  const admin = process.env.TEST_PG_ADMIN_URL!;
  const name = `ce_${label}_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(admin, name);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}
