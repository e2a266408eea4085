// `npm run migrate` / `migrate:create`: runs src/prisma/migrate.cli.ts without building the project.
// In a checkout (devDependencies installed) the TypeScript runs through tsx; in a production image,
// where only dist/ and production dependencies are left, the built file runs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
let tsx;
try {
  tsx = require.resolve('tsx');
} catch {
  tsx = undefined;
}
const source = path.join(root, 'src/prisma/migrate.cli.ts');
const built = path.join(root, 'dist/src/prisma/migrate.cli.js');
const command =
  tsx && existsSync(source)
    ? [process.execPath, ['--import', 'tsx', source, ...args]]
    : [process.execPath, [built, ...args]];
if (!tsx && !existsSync(built)) {
  console.error('Neither tsx (devDependencies) nor a build (npm run build) is available.');
  process.exit(1);
}
const result = spawnSync(command[0], command[1], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
