import { Liquid, type Template } from 'liquidjs';

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
  unsubscribe_url: string;
  /** The source's own roots, e.g. `campaign: { name }`. */
  [root: string]: unknown;
}

const KNOWN: Record<string, Set<string> | 'any' | 'leaf'> = {
  contact: new Set(['email', 'firstName', 'lastName', 'company', 'timezone', 'attributes']),
  sender: new Set(['name', 'email']),
  campaign: new Set(['name']),
  unsubscribe_url: 'leaf',
};

const engines = {
  html: new Liquid({ outputEscape: 'escape', ownPropertyOnly: true, strictFilters: true }),
  text: new Liquid({ ownPropertyOnly: true, strictFilters: true }),
};

export class TemplateError extends Error {}

/** Throws TemplateError with a readable message when the template cannot be parsed or names an unknown variable. */
export function validateTemplate(source: string): void {
  let segments: (string | number)[][];
  try {
    const parsed = engines.text.parse(source);
    segments = engines.text.globalVariableSegmentsSync(parsed) as (string | number)[][];
  } catch (e) {
    throw new TemplateError(`Template syntax error: ${(e as Error).message.split('\n')[0]}`);
  }
  for (const path of segments) {
    const [root, child] = path.map(String);
    const known = KNOWN[root];
    const name = path.join('.');
    if (!known)
      throw new TemplateError(`Unknown variable "${name}": use contact, sender, campaign or unsubscribe_url`);
    if (known === 'leaf' && child !== undefined) throw new TemplateError(`Unknown variable "${name}"`);
    if (known instanceof Set && child !== undefined && !known.has(child)) {
      throw new TemplateError(`Unknown variable "${name}": ${root} has ${[...known].join(', ')}`);
    }
  }
}

/** A template parsed once, rendered many times (delivery renders a campaign's templates per contact). */
export interface CompiledTemplate {
  html: Template[];
  text: Template[];
}

export function compileTemplate(source: string): CompiledTemplate {
  try {
    return { html: engines.html.parse(source), text: engines.text.parse(source) };
  } catch (e) {
    throw new TemplateError(`Template syntax error: ${(e as Error).message.split('\n')[0]}`);
  }
}

export function renderCompiled(
  compiled: CompiledTemplate,
  context: TemplateContext,
  mode: 'html' | 'text',
): string {
  try {
    return engines[mode].renderSync(compiled[mode], context) as string;
  } catch (e) {
    throw new TemplateError(`The template could not be rendered: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Renders HTML (values HTML-escaped) or plain text (subject, text body). */
export function renderTemplate(source: string, context: TemplateContext, mode: 'html' | 'text'): string {
  return engines[mode].parseAndRenderSync(source, context) as string;
}
