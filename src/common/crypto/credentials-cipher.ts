import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { ResolvedConfig } from '../../config/config.js';

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The stored text is not a valid ciphertext for this key and context (tampered, truncated, wrong key). */
export class CredentialsDecryptError extends Error {
  constructor(message = 'The credentials cannot be decrypted with the configured key') {
    super(message);
    this.name = 'CredentialsDecryptError';
  }
}

function checkKey(key: Buffer) {
  if (key.length !== 32) throw new Error('The credentials key must be 32 bytes (AES-256)');
}

/**
 * Encrypts a JSON value with AES-256-GCM: `v1:<iv>:<tag>:<ciphertext>`, each part base64url.
 * `context` is authenticated but not stored (e.g. the owning organization), so a ciphertext
 * copied to another owner's row does not decrypt there.
 */
export function encryptJson(key: Buffer, value: unknown, context = ''): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
  return [VERSION, ...parts].join(':');
}

/** Decrypts what `encryptJson` produced; throws CredentialsDecryptError on any mismatch. */
export function decryptJson<T = unknown>(key: Buffer, text: string, context = ''): T {
  checkKey(key);
  const [version, iv, tag, data, ...rest] = text.split(':');
  if (version !== VERSION || !iv || !tag || data === undefined || rest.length) {
    throw new CredentialsDecryptError('Unknown credentials format');
  }
  try {
    const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64url'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as T;
  } catch {
    throw new CredentialsDecryptError();
  }
}

/** Mailbox credentials at rest, under the configured ENCRYPTION_KEY. */
@Injectable()
export class CredentialsCipher {
  constructor(@Inject(APP_CONFIG) private readonly config: ResolvedConfig) {}

  encrypt(value: Record<string, unknown>, context = ''): string {
    return encryptJson(this.config.encryptionKey, value, context);
  }

  decrypt(text: string, context = ''): Record<string, unknown> {
    return decryptJson<Record<string, unknown>>(this.config.encryptionKey, text, context);
  }
}
