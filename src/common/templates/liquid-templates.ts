import { Liquid } from 'liquidjs';

/**
 * Personalization with LiquidJS. Templates see `contact` (email, firstName, lastName, company,
 * timezone, attributes.*), `sender` (name, email), `campaign` (name) and `unsubscribe_url`.
 * Fallbacks use Liquid's default filter: `{{ contact.firstName | default: "there" }}`.
 */
export interface TemplateContext {
  contact: {
    email: string;
    firstName: string | null;
    lastName: string | null;
    company: string | null;
    timezone: string | null;
    attributes: Record<string, unknown>;
  };
  sender: { name: string | null; email: string };
  campaign: { name: string };
  unsubscribe_url: string;
}

/** The variables a template may name: each root with its known children, or a leaf. */
export type TemplateVariables = Readonly<Record<string, ReadonlySet<string> | 'leaf'>>;

const CONTACT = new Set(['email', 'firstName', 'lastName', 'company', 'timezone', 'attributes']);
const SENDER = new Set(['name', 'email']);

/** What campaign templates see. */
export const CAMPAIGN_VARIABLES: TemplateVariables = {
  contact: CONTACT,
  sender: SENDER,
  campaign: new Set(['name']),
  unsubscribe_url: 'leaf',
};

/** What sequence templates see: the same, with `sequence.name` instead of `campaign.name`. */
export const SEQUENCE_VARIABLES: TemplateVariables = {
  contact: CONTACT,
  sender: SENDER,
  sequence: new Set(['name']),
  unsubscribe_url: 'leaf',
};

const listOf = (names: string[]) => `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;

const engines = {
  html: new Liquid({ outputEscape: 'escape', ownPropertyOnly: true, strictFilters: true }),
  text: new Liquid({ ownPropertyOnly: true, strictFilters: true }),
};

export class TemplateError extends Error {}

/**
 * Throws TemplateError with a readable message when the template cannot be parsed or names a
 * variable `variables` does not know (campaigns' by default).
 */
export function validateTemplate(source: string, variables: TemplateVariables = CAMPAIGN_VARIABLES): void {
  let segments: (string | number)[][];
  try {
    const parsed = engines.text.parse(source);
    segments = engines.text.globalVariableSegmentsSync(parsed) as (string | number)[][];
  } catch (e) {
    throw new TemplateError(`Template syntax error: ${(e as Error).message.split('\n')[0]}`);
  }
  for (const path of segments) {
    const [root, child] = path.map(String);
    const known = Object.hasOwn(variables, root) ? variables[root] : undefined;
    const name = path.join('.');
    if (!known) throw new TemplateError(`Unknown variable "${name}": use ${listOf(Object.keys(variables))}`);
    if (known === 'leaf' && child !== undefined) throw new TemplateError(`Unknown variable "${name}"`);
    if (known !== 'leaf' && child !== undefined && !known.has(child)) {
      throw new TemplateError(`Unknown variable "${name}": ${root} has ${[...known].join(', ')}`);
    }
  }
}

/** Renders HTML (values HTML-escaped) or plain text (subject, text body). */
export function renderTemplate(source: string, context: TemplateContext, mode: 'html' | 'text'): string {
  return engines[mode].parseAndRenderSync(source, context) as string;
}
