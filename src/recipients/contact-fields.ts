import { isEmail } from 'class-validator';
import { OversizedJson } from '../common/graphql/json.scalar.js';
import { describeJsonProblem, jsonProblem, type JsonLimits } from '../common/validation/json-limits.js';

/** Longest address SMTP allows (RFC 5321 path limit). */
export const MAX_EMAIL_LENGTH = 254;
/** Longest first name, last name or company. */
export const MAX_TEXT_LENGTH = 200;

/** One limit for a contact's attributes, whether they come from addContacts or a CSV import. */
export const ATTRIBUTE_LIMITS: JsonLimits = { maxDepth: 5, maxBytes: 16 * 1024 };

/** Why these attributes cannot be stored, or null when they can. */
export function attributesProblem(value: unknown): string | null {
  if (value instanceof OversizedJson)
    return describeJsonProblem('attributes', value.problem, ATTRIBUTE_LIMITS);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'attributes must be a JSON object';
  const problem = jsonProblem(value, ATTRIBUTE_LIMITS);
  return problem ? describeJsonProblem('attributes', problem, ATTRIBUTE_LIMITS) : null;
}

/** A contact as stored: the email normalized, absent fields null (an upsert keeps what is stored). */
export interface ContactFields {
  email: string;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  timezone: string | null;
  attributes: Record<string, unknown>;
}

export { normalizeEmail } from '../common/validation/email.js';

/** True for a syntactically valid address within the SMTP length limit. */
export const isValidEmail = (email: string) => email.length <= MAX_EMAIL_LENGTH && isEmail(email);

/** Trimmed text, or null when absent or blank. */
export const cleanText = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : null;

/**
 * One entry per email, in first-seen order: later entries fill in or override fields and add
 * attributes, so a batch behaves like applying its entries one after the other.
 */
export function mergeByEmail(contacts: ContactFields[]): ContactFields[] {
  const byEmail = new Map<string, ContactFields>();
  for (const c of contacts) {
    const seen = byEmail.get(c.email);
    if (!seen) {
      byEmail.set(c.email, { ...c, attributes: { ...c.attributes } });
      continue;
    }
    seen.firstName = c.firstName ?? seen.firstName;
    seen.lastName = c.lastName ?? seen.lastName;
    seen.company = c.company ?? seen.company;
    seen.timezone = c.timezone ?? seen.timezone;
    Object.assign(seen.attributes, c.attributes);
  }
  return [...byEmail.values()];
}
