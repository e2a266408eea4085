// Builds native/malloc-trim (glibc's malloc_trim, for the memory trimmer: docs/adr/011) with npm's
// own node-gyp against this Node's headers. Optional: where it cannot be built (no compiler, not
// Linux) the engine runs without it and says so at start.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'native/malloc-trim');
const source = path.join(dir, 'malloc_trim.c');
const built = path.join(dir, 'build/Release/malloc_trim.node');

if (process.platform !== 'linux') process.exit(0);
if (existsSync(built) && statSync(built).mtimeMs >= statSync(source).mtimeMs) process.exit(0);

const npmDir = () => {
  if (process.env.npm_execpath) return path.resolve(path.dirname(process.env.npm_execpath), '..');
  return path.join(execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim(), 'npm');
};
const nodeDir = path.resolve(path.dirname(process.execPath), '..');
const headers = existsSync(path.join(nodeDir, 'include/node/node_api.h')) ? [`--nodedir=${nodeDir}`] : [];
try {
  const gyp = path.join(npmDir(), 'node_modules/node-gyp/bin/node-gyp.js');
  execFileSync(process.execPath, [gyp, 'rebuild', ...headers], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
} catch (e) {
  console.warn(`native/malloc-trim was not built (${e.message.split('\n')[0]}): memory will not be trimmed`);
}
