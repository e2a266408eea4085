/**
 * What "development secrets" means for a production boot: values that are published, guessable
 * or were generated for a development machine. Production refuses to start with any of them.
 */

/** Secrets this repository itself publishes (tests, examples). */
const PUBLISHED = new Set(['test-secret-test-secret-test-secret-0123']);
const PLACEHOLDER =
  /change.?me|changeit|secret|password|example|development|dev.?only|insecure|placeholder|your.?(jwt|key)/i;

/** Why `value` cannot sign production tokens, or null. */
export function weakJwtSecret(value: string): string | null {
  if (PUBLISHED.has(value)) return 'is a published test value';
  if (PLACEHOLDER.test(value)) return 'looks like a placeholder (generate one: openssl rand -base64 48)';
  if (new Set(value).size < 12)
    return 'has too few distinct characters to be random (generate one: openssl rand -base64 48)';
  return null;
}

/** Why `key` (32 bytes) cannot encrypt production credentials, or null. */
export function weakEncryptionKey(key: Buffer): string | null {
  if (new Set(key).size < 16) return 'is not random (generate one: openssl rand -base64 32)';
  return null;
}

/** The development secrets file as local-secrets writes it. */
export interface DevelopmentSecrets {
  jwtSecret?: string;
  encryptionKey?: string;
}

/** Problems of production secrets that equal the development ones generated under DATA_DIR. */
export function reusedDevelopmentSecrets(
  config: { jwt: { secret?: string; previousSecret?: string }; encryptionKey?: Buffer },
  dev: DevelopmentSecrets,
): string[] {
  const problems: string[] = [];
  if (dev.jwtSecret && (config.jwt.secret === dev.jwtSecret || config.jwt.previousSecret === dev.jwtSecret))
    problems.push('JWT_SECRET: is the development secret generated under DATA_DIR; generate a new one');
  if (dev.encryptionKey && config.encryptionKey?.equals(Buffer.from(dev.encryptionKey, 'base64')))
    problems.push('ENCRYPTION_KEY: is the development key generated under DATA_DIR; generate a new one');
  return problems;
}
