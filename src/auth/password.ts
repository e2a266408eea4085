import { hash, verify } from '@node-rs/argon2';

/** Argon2id with the library's defaults (OWASP-recommended memory and time cost). */
export const hashPassword = (password: string) => hash(password);

export async function verifyPassword(hashed: string, password: string) {
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Checks a password against no account, at the same cost as a real check, so that an unknown
 * address answers as slowly as a wrong password (no account enumeration by timing).
 */
export async function verifyAgainstNobody(password: string): Promise<false> {
  dummy ??= hash(`no account ${Math.random()}`);
  await verifyPassword(await dummy, password);
  return false;
}
