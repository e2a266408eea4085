import { badInput } from '../errors/domain-error.js';

/** The sort key of keyset pagination: creation time, then id to break ties. */
export interface CursorKey {
  createdAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An opaque cursor for the row: base64url of `<ISO time>|<id>`. */
export function encodeCursor(key: CursorKey): string {
  return Buffer.from(`${key.createdAt.toISOString()}|${key.id}`, 'utf8').toString('base64url');
}

/** The key inside a cursor; BAD_USER_INPUT naming `field` when it is not one this API issued. */
export function decodeCursor(cursor: string, field = 'after'): CursorKey {
  const [iso, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (rest.length || !id || !UUID.test(id) || Number.isNaN(createdAt.getTime()) || !iso?.endsWith('Z')) {
    throw badInput(field, `${field} is not a valid cursor`);
  }
  return { createdAt, id };
}
