import { randomBytes } from 'node:crypto';
import { CredentialsDecryptError, decryptJson, encryptJson } from './credentials-cipher.js';

describe('credentials cipher', () => {
  const key = randomBytes(32);
  const secret = { username: 'ada', password: 'p@ss:word', port: 587 };

  it('round-trips a JSON object in the versioned format, with a fresh IV each time', () => {
    const a = encryptJson(key, secret);
    const b = encryptJson(key, secret);
    expect(a).toMatch(/^v1:[\w-]+:[\w-]+:[\w-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('p@ss');
    expect(decryptJson(key, a)).toEqual(secret);
    expect(decryptJson(key, b)).toEqual(secret);
  });

  it('detects tampering with the ciphertext, the tag or the IV', () => {
    const text = encryptJson(key, secret);
    const [v, iv, tag, data] = text.split(':');
    const flip = (part: string) => {
      const bytes = Buffer.from(part, 'base64url');
      bytes[0] ^= 1;
      return bytes.toString('base64url');
    };
    for (const forged of [
      [v, iv, tag, flip(data)],
      [v, iv, flip(tag), data],
      [v, flip(iv), tag, data],
    ]) {
      expect(() => decryptJson(key, forged.join(':'))).toThrow(CredentialsDecryptError);
    }
    expect(() => decryptJson(key, 'v2' + text.slice(2))).toThrow(CredentialsDecryptError);
    expect(() => decryptJson(key, 'garbage')).toThrow(CredentialsDecryptError);
  });

  it('fails with another key or another context', () => {
    const text = encryptJson(key, secret, 'org-a');
    expect(decryptJson(key, text, 'org-a')).toEqual(secret);
    expect(() => decryptJson(randomBytes(32), text, 'org-a')).toThrow(CredentialsDecryptError);
    expect(() => decryptJson(key, text, 'org-b')).toThrow(CredentialsDecryptError);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => encryptJson(randomBytes(16), secret)).toThrow(/32 bytes/);
  });
});
