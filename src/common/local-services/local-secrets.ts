import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface LocalSecrets {
  jwtSecret: string;
  encryptionKey: string;
}

/**
 * Development secrets, generated once and kept under the data directory so tokens and encrypted
 * credentials survive restarts. Production must set JWT_SECRET and ENCRYPTION_KEY (config enforces it).
 */
export function localSecrets(dataDir: string): LocalSecrets {
  const file = path.resolve(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets;
  const secrets = {
    jwtSecret: randomBytes(48).toString('base64url'),
    encryptionKey: randomBytes(32).toString('base64'),
  };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/** The development secrets under `dataDir`, if any were generated there; never creates anything. */
export function readLocalSecrets(dataDir: string): Partial<LocalSecrets> {
  const file = path.resolve(dataDir, 'secrets.json');
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSecrets>) : {};
  } catch {
    return {};
  }
}
