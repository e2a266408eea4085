import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './support/ports.js';

/**
 * The quick start, as a user runs it: the built engine with no DATABASE_URL / REDIS_URL starts its
 * own PostgreSQL and Redis, migrates, seeds, prints a working token, and Ctrl-C stops it all.
 */
describe('npm start with no services configured', () => {
  let child: ChildProcess | undefined;
  let dataDir: string;

  beforeAll(() => {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'ce-boot-'));
    chmodSync(dataDir, 0o755);
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves GraphQL, answers me with the printed token, and stops cleanly on SIGINT', async () => {
    const [port, pgPort, redisPort] = [await freePort(), await freePort(), await freePort()];
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      DATA_DIR: dataDir,
      PORT: String(port),
      EMBEDDED_PG_PORT: String(pgPort),
      EMBEDDED_REDIS_PORT: String(redisPort),
      LOG_LEVEL: 'warn',
    };
    child = spawn(process.execPath, ['dist/src/main.js'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));

    const deadline = Date.now() + 60000;
    while (!/Headers:/.test(output)) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`engine did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const token = /"Bearer ([^"]+)"/.exec(output)![1];
    const org = /"x-organization-id": "([^"]+)"/.exec(output)![1];
    expect(output).toContain(`http://localhost:${port}/graphql`);

    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'x-organization-id': org,
      },
      body: JSON.stringify({ query: '{ me { email } organization { name role } }' }),
    });
    expect(await res.json()).toEqual({
      data: {
        me: { email: 'demo@campaign-engine.local' },
        organization: { name: 'Demo Organization', role: 'OWNER' },
      },
    });

    child.kill('SIGINT');
    const code = await exited;
    if (code !== 0) throw new Error(`exit code ${code}:\n${output}`);
    // Everything it started is gone: the ports are free again.
    const { createServer } = await import('node:net');
    for (const p of [port, pgPort, redisPort]) {
      await new Promise<void>((resolve, reject) => {
        const s = createServer().once('error', reject);
        s.listen(p, '127.0.0.1', () => s.close(() => resolve()));
      });
    }
  }, 120000);
});
