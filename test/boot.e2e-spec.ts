import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, freePorts } from './support/ports.js';
import { emptyDatabase, freshDatabase } from './support/test-db.js';

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
    const [port, pgPort, redisPort] = await freePorts(3);
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

  /** Runs the built engine until it prints its banner (or exits); returns its output and exit code. */
  async function boot(env: Record<string, string>, until = /is running/) {
    const proc = spawn(process.execPath, ['dist/src/main.js'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60000;
    while (!until.test(output) && proc.exitCode === null && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    if (proc.exitCode === null) proc.kill('SIGINT');
    return { output, code: await exited };
  }

  const productionSecrets = () => ({
    NODE_ENV: 'production',
    JWT_SECRET: randomBytes(48).toString('base64'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  });

  it('creates nothing under DATA_DIR when the database, Redis and the secrets are given', async () => {
    const unused = path.join(dataDir, 'never-created');
    const { output, code } = await boot({
      ...productionSecrets(),
      DATABASE_URL: await freshDatabase('boot'),
      REDIS_URL: process.env.TEST_REDIS_URL!,
      PORT: String(await freePort()),
      DATA_DIR: unused,
    });
    expect(output).toContain('campaign-engine is running');
    expect(code).toBe(0);
    expect(existsSync(unused)).toBe(false);
  }, 90000);

  it('refuses to start in production with the development secrets generated under DATA_DIR', async () => {
    const devDir = path.join(dataDir, 'dev');
    mkdirSync(devDir);
    const dev = {
      jwtSecret: randomBytes(48).toString('base64url'),
      encryptionKey: randomBytes(32).toString('base64'),
    };
    writeFileSync(path.join(devDir, 'secrets.json'), JSON.stringify(dev));
    const { output, code } = await boot({
      NODE_ENV: 'production',
      JWT_SECRET: dev.jwtSecret,
      ENCRYPTION_KEY: dev.encryptionKey,
      DATABASE_URL: await freshDatabase('boot'),
      REDIS_URL: process.env.TEST_REDIS_URL!,
      DATA_DIR: devDir,
    });
    expect(code).toBe(1);
    expect(output).toMatch(/JWT_SECRET: is the development secret generated under DATA_DIR/);
    expect(output).toMatch(/ENCRYPTION_KEY: is the development key generated under DATA_DIR/);
    expect(output).not.toContain('is running');
  }, 90000);

  it('migrates with DATABASE_URL alone, in production, without building or writing secrets', async () => {
    const unused = path.join(dataDir, 'migrate-only');
    const builtAt = statSync('dist/src/main.js').mtimeMs;
    const result = spawnSync('npm', ['run', '--silent', 'migrate'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/root',
        NODE_ENV: 'production',
        DATA_DIR: unused,
        DATABASE_URL: await emptyDatabase('migrate'),
      },
      encoding: 'utf8',
    });
    expect(result.stdout).toMatch(/^Applied: \d+_init/m);
    expect(result.status).toBe(0);
    expect(existsSync(unused)).toBe(false);
    expect(statSync('dist/src/main.js').mtimeMs).toBe(builtAt);
  }, 90000);
});
