import { execFileSync } from 'node:child_process';
import type { ResolvedConfig } from '../../config/config.js';
import { loadMallocTrim, mallocTrimBinding, type MallocTrim } from './malloc-trim.js';
import { MemoryTrimmer } from './memory-trimmer.js';

/**
 * In a process of its own (so the figures are about one allocation pattern, not the test runner's
 * heap): 200,000 buffers of 1 KB taken from malloc, every 50th kept (so the freed memory is full of
 * holes, as a server's is), the rest freed and collected; the RSS then, and after the trim.
 */
const FRAGMENT = `
const { trim } = require(process.argv[1]);
const rss = () => process.memoryUsage().rss / 1048576;
let all = [];
const kept = [];
for (let i = 0; i < 200000; i++) { const b = Buffer.allocUnsafeSlow(1024); all.push(b); if (i % 50 === 0) kept.push(b); }
all = null; gc(); gc();
const freed = rss();
trim().then((released) => console.log(JSON.stringify({ freed, trimmed: rss(), released, kept: kept.length })));
`;

const settle = () => new Promise((r) => setTimeout(r, 10));
async function until(check: () => boolean, ms = 10000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await settle();
  }
}

const trimmer = (memoryTrimMs: number, trim: MallocTrim | null) =>
  new MemoryTrimmer({ memoryTrimMs } as ResolvedConfig, trim);

describe('malloc_trim (native/malloc-trim)', () => {
  it('is built by the install and loads', () => {
    expect(mallocTrimBinding()).toMatch(/malloc_trim\.node$/);
    expect(loadMallocTrim()).toBeInstanceOf(Function);
  });

  it('gives the freed memory malloc kept back to the system', () => {
    const out = JSON.parse(
      execFileSync(process.execPath, ['--expose-gc', '-e', FRAGMENT, mallocTrimBinding()!], {
        encoding: 'utf8',
      }),
    ) as { freed: number; trimmed: number; released: boolean; kept: number };
    // About 200 MB was taken and 4 MB is still in use: freeing alone leaves most of it counted.
    expect(out.kept).toBe(4000);
    expect(out.freed).toBeGreaterThan(150);
    expect(out.released).toBe(true);
    expect(out.trimmed).toBeLessThan(out.freed - 100);
  });
});

describe('MemoryTrimmer', () => {
  it('trims on its interval, one trim at a time', async () => {
    let calls = 0;
    let running = 0;
    let overlapped = false;
    const t = trimmer(5, async () => {
      calls++;
      overlapped ||= ++running > 1;
      await new Promise((r) => setTimeout(r, 25)); // longer than the interval
      running--;
      return calls % 2 === 0;
    });
    t.onModuleInit();
    await until(() => t.stats.trims >= 3);
    await t.onApplicationShutdown();
    const after = calls;
    await new Promise((r) => setTimeout(r, 50));
    expect(overlapped).toBe(false);
    expect(calls).toBe(after); // none after shutdown
    expect(t.stats.released).toBe(Math.floor(t.stats.trims / 2));
  });

  it('never trims with MEMORY_TRIM_MS=0, and does nothing without the binding', async () => {
    let calls = 0;
    const off = trimmer(0, async () => (calls++, true));
    off.onModuleInit();
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBe(0);
    await off.onApplicationShutdown();

    const none = trimmer(5, null);
    none.onModuleInit();
    await expect(none.trimNow()).resolves.toBe(false);
    expect(none.stats.trims).toBe(0);
    await none.onApplicationShutdown();
  });

  it('survives a failing trim', async () => {
    const t = trimmer(0, () => Promise.reject(new Error('boom')));
    await t.trimNow();
    expect(t.stats.trims).toBe(0);
  });
});
