import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Gives freed memory that malloc keeps back to the system; answers whether any was released. */
export type MallocTrim = () => Promise<boolean>;

const BINDING = 'native/malloc-trim/build/Release/malloc_trim.node';

/**
 * glibc's malloc_trim(0), run off the event loop (native/malloc-trim, built by `npm install` where
 * a compiler is found); null where it was not built. The project root is found from this file,
 * which sits at a different depth under src/ (sources) and dist/src/ (compiled).
 */
export function loadMallocTrim(): MallocTrim | null {
  const file = mallocTrimBinding();
  if (!file) return null;
  try {
    const binding = createRequire(import.meta.url)(file) as { trim: MallocTrim };
    return () => binding.trim();
  } catch {
    return null; // built for another Node ABI or platform
  }
}

/** The built binding's path, or null. */
export function mallocTrimBinding(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++, dir = path.dirname(dir)) {
    const file = path.join(dir, BINDING);
    if (existsSync(file)) return file;
  }
  return null;
}
