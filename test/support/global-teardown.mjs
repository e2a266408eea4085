import { rmSync } from 'node:fs';

export default async function globalTeardown() {
  for (const s of globalThis.__CE_SERVICES__ ?? []) await s.stop().catch(() => undefined);
  if (process.env.TEST_ROOT) rmSync(process.env.TEST_ROOT, { recursive: true, force: true });
}
