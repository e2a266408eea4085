import { Transform } from 'class-transformer';

/** Trimmed and lower-cased: the one form addresses are stored, compared and suppressed in. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** Normalizes an input's email field before it is validated. */
export const NormalizeEmail = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeEmail(value) : value));
