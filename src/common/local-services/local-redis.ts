import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { RunningService } from './embedded-postgres.js';

export interface LocalRedisOptions {
  dataDir: string;
  port: number;
  /** Keep an append-only file under dataDir (npm start) or run in memory only (tests). */
  persistent: boolean;
  log?: (line: string) => void;
}

const INSTALL_HINT =
  'Install Redis (Debian/Ubuntu: `sudo apt-get install -y redis-server`) or set REDIS_URL.';

function which(bin: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function isDebianLike() {
  try {
    return /ID(_LIKE)?=.*(debian|ubuntu)/.test(readFileSync('/etc/os-release', 'utf8'));
  } catch {
    return false;
  }
}

/** Finds redis-server; installs it with apt when running as root on Debian/Ubuntu. */
export function ensureRedisBinary(log: (l: string) => void = () => undefined): string {
  const found = which('redis-server');
  if (found) return found;
  if (process.getuid?.() === 0 && isDebianLike() && which('apt-get')) {
    log('redis-server is missing: installing it with apt-get (once)…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    const r = spawnSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'ignore', env });
    const installed = which('redis-server');
    if (r.status === 0 && installed) return installed;
  }
  throw new Error(`redis-server was not found. ${INSTALL_HINT}`);
}

function waitForPort(port: number, child: ChildProcess, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null)
        return reject(new Error(`redis-server exited with code ${child.exitCode}`));
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`redis-server did not listen on port ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** Starts a private redis-server on loopback and returns its URL. */
export async function startLocalRedis(opts: LocalRedisOptions): Promise<RunningService> {
  const bin = ensureRedisBinary(opts.log);
  const dir = path.resolve(opts.dataDir);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  const args = ['--port', String(opts.port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
  args.push('--appendonly', opts.persistent ? 'yes' : 'no', '--daemonize', 'no');
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => opts.log?.(d.toString().trim()));
  child.stderr?.on('data', (d: Buffer) => opts.log?.(d.toString().trim()));
  await waitForPort(opts.port, child);
  return {
    url: `redis://127.0.0.1:${opts.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
