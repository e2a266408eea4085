import { parse } from 'csv-parse/sync';
import { IANAZone } from 'luxon';
import { badInput } from '../common/errors/domain-error.js';
import {
  attributesProblem,
  cleanText,
  isValidEmail,
  MAX_TEXT_LENGTH,
  normalizeEmail,
  type ContactFields,
} from './contact-fields.js';

export const CSV_MAX_BYTES = 2 * 1024 * 1024;
export const CSV_MAX_ROWS = 50_000;

export const ImportRowStatus = {
  ACCEPTED: 'ACCEPTED',
  DUPLICATE: 'DUPLICATE',
  REJECTED: 'REJECTED',
} as const;
export type ImportRowStatus = (typeof ImportRowStatus)[keyof typeof ImportRowStatus];

export interface ImportRow {
  /** Line of the file where the row starts (the header is line 1). */
  line: number;
  /** The normalized address, or null when the row has none. */
  email: string | null;
  status: ImportRowStatus;
  reason: string | null;
}

export interface CsvClassification {
  rows: ImportRow[];
  /** The contacts of the ACCEPTED rows, in file order, one per email. */
  accepted: ContactFields[];
}

type Known = 'email' | 'firstName' | 'lastName' | 'company' | 'timezone';

/** Header spellings of the known columns, compared lower-cased without spaces, `_` or `-`. */
const KNOWN: Record<string, Known> = {
  email: 'email',
  emailaddress: 'email',
  firstname: 'firstName',
  lastname: 'lastName',
  company: 'company',
  timezone: 'timezone',
};

interface Column {
  index: number;
  header: string;
  known?: Known;
}

function readHeader(header: string[]): Column[] {
  const columns: Column[] = [];
  const seen = new Set<string>();
  header.forEach((raw, index) => {
    const name = raw.trim();
    if (!name) return; // an unnamed column carries nothing we could name an attribute after
    const known = KNOWN[name.toLowerCase().replace(/[\s_-]/g, '')];
    const key = known ?? name;
    if (seen.has(key)) throw badInput('csv', `The header has the column "${name}" twice`);
    seen.add(key);
    columns.push({ index, header: name, known });
  });
  if (!columns.some((c) => c.known === 'email'))
    throw badInput('csv', 'The header row must have an email column');
  return columns;
}

/** A record as csv-parse returns it with `info` and `raw`. */
interface ParsedRecord {
  record: string[];
  info: { lines: number };
  raw: string;
}

function parseRecords(csv: string): ParsedRecord[] {
  if (Buffer.byteLength(csv, 'utf8') > CSV_MAX_BYTES)
    throw badInput('csv', `The CSV is larger than ${CSV_MAX_BYTES / 1024 / 1024} MB`);
  try {
    // One line-ending convention, so that line numbers count the way editors count them.
    return parse(csv.replace(/\r\n?/g, '\n'), {
      bom: true,
      info: true,
      raw: true,
      trim: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      to: CSV_MAX_ROWS + 2,
    }) as unknown as ParsedRecord[];
  } catch (e) {
    throw badInput('csv', `The CSV could not be parsed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The first line of a record: where it ends minus the line breaks inside it. */
function startLine(raw: string, endLine: number) {
  const body = raw.replace(/^(?:[ \t]*\n)+/, '').replace(/\n$/, '');
  return endLine - (body.match(/\n/g)?.length ?? 0);
}

/**
 * Reads a contacts CSV (header row required; columns email, first_name, last_name, company,
 * timezone, any other column becomes an attribute) and classifies every row: ACCEPTED,
 * DUPLICATE (same email accepted earlier in the file) or REJECTED with a reason.
 * Throws BAD_USER_INPUT on `csv` when the file as a whole is unusable.
 */
export function classifyContactsCsv(csv: string): CsvClassification {
  const records = parseRecords(csv);
  if (!records.length) throw badInput('csv', 'The CSV is empty; it needs a header row with an email column');
  if (records.length > CSV_MAX_ROWS + 1)
    throw badInput('csv', `The CSV has more than ${CSV_MAX_ROWS.toLocaleString('en')} rows`);
  const columns = readHeader(records[0].record);
  const rows: ImportRow[] = [];
  const accepted: ContactFields[] = [];
  const seen = new Set<string>();
  for (const { record, info, raw } of records.slice(1)) {
    const line = startLine(raw, info.lines);
    const contact: ContactFields = {
      email: '',
      firstName: null,
      lastName: null,
      company: null,
      timezone: null,
      attributes: {},
    };
    let tooLong: string | undefined;
    for (const col of columns) {
      const value = cleanText(record[col.index]);
      if (value === null) continue;
      if (col.known === 'email') contact.email = normalizeEmail(value);
      else if (col.known) contact[col.known] = value;
      else contact.attributes[col.header] = value;
      if (col.known && col.known !== 'email' && value.length > MAX_TEXT_LENGTH) tooLong ??= col.header;
    }
    const reason = !contact.email
      ? 'Missing email'
      : !isValidEmail(contact.email)
        ? 'Invalid email address'
        : contact.timezone && !IANAZone.isValidZone(contact.timezone)
          ? `Unknown time zone "${contact.timezone}"`
          : tooLong
            ? `${tooLong} is longer than ${MAX_TEXT_LENGTH} characters`
            : attributesProblem(contact.attributes);
    const email = contact.email || null;
    if (reason) rows.push({ line, email, status: ImportRowStatus.REJECTED, reason });
    else if (seen.has(contact.email))
      rows.push({ line, email, status: ImportRowStatus.DUPLICATE, reason: 'Same email earlier in the file' });
    else {
      seen.add(contact.email);
      accepted.push(contact);
      rows.push({ line, email, status: ImportRowStatus.ACCEPTED, reason: null });
    }
  }
  return { rows, accepted };
}
