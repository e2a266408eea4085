import type { Template } from 'liquidjs';
import {
  classifyLiquidError,
  engines,
  ForbiddenTagError,
  TEMPLATE_LIMITS,
  TemplateLimitError,
  type TemplateLimit,
} from './liquid-engine.js';

/**
 * Personalization with LiquidJS. Templates see `contact` (email, firstName, lastName, company,
 * timezone, attributes.*), `sender` (name, email), `campaign` (name) and `unsubscribe_url`.
 * Fallbacks use Liquid's default filter: `{{ contact.firstName | default: "there" }}`.
 *
 * Templates are pure: they cannot read files or other templates (`include`, `render` and
 * `layout` are refused), and every render has work, memory, output and time budgets
 * (TEMPLATE_LIMITS). Parse once with `compileTemplate`, render many times with `renderCompiled`.
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

export type TemplateMode = 'html' | 'text';
export { TEMPLATE_LIMITS };

export type TemplateErrorKind = 'syntax' | 'unknown-variable' | 'forbidden-tag' | 'limit' | 'render';

/** Why a template cannot be saved or rendered, in words fit for its author. */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly kind: TemplateErrorKind,
    readonly detail: { tag?: string; limit?: TemplateLimit } = {},
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

const LIMIT_MESSAGES: Record<TemplateLimit, string> = {
  source: `the template is longer than ${TEMPLATE_LIMITS.sourceChars.toLocaleString('en')} characters`,
  work: `the template does too much work (more than ${TEMPLATE_LIMITS.workSteps.toLocaleString('en')} steps: loops that run too often, or tags nested too deeply)`,
  memory: `the template builds too much data (more than ${TEMPLATE_LIMITS.memoryUnits.toLocaleString('en')} characters or items created by filters and ranges)`,
  output: `the template produces too much text (more than ${TEMPLATE_LIMITS.outputChars.toLocaleString('en')} characters)`,
  time: `the template took longer than ${TEMPLATE_LIMITS.renderMs} ms to render`,
};

/** Maps anything LiquidJS threw into a TemplateError; `stage` words the messages of other errors. */
function toTemplateError(error: unknown, stage: 'parse' | 'render'): TemplateError {
  if (error instanceof TemplateError) return error;
  const known = classifyLiquidError(error);
  if (known instanceof ForbiddenTagError) {
    return new TemplateError(
      `the ${known.tag} tag is not allowed: templates cannot read files or other templates`,
      'forbidden-tag',
      { tag: known.tag },
    );
  }
  if (known instanceof TemplateLimitError) {
    return new TemplateError(`Template refused: ${LIMIT_MESSAGES[known.limit]}`, 'limit', {
      limit: known.limit,
    });
  }
  const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  return stage === 'parse'
    ? new TemplateError(`Template syntax error: ${first}`, 'syntax')
    : new TemplateError(`The template could not be rendered: ${first}`, 'render');
}

/** A parsed template, ready to render any number of times (for either mode). */
export interface CompiledTemplate {
  readonly source: string;
  /** Parsed per mode on first use: HTML escaping is decided when LiquidJS parses an output. */
  readonly parsed: Partial<Record<TemplateMode, Template[]>>;
}

function parse(compiled: CompiledTemplate, mode: TemplateMode): Template[] {
  const cached = compiled.parsed[mode];
  if (cached) return cached;
  try {
    return (compiled.parsed[mode] = engines[mode].parse(compiled.source));
  } catch (e) {
    throw toTemplateError(e, 'parse');
  }
}

/** Parses the template (TemplateError on a syntax error, a forbidden tag or an over-long source). */
export function compileTemplate(source: string): CompiledTemplate {
  const compiled: CompiledTemplate = { source, parsed: {} };
  parse(compiled, 'text');
  return compiled;
}

/**
 * Renders a compiled template for one context, synchronously, within TEMPLATE_LIMITS: HTML
 * (values escaped) or text (subject, text body). Throws TemplateError when a budget runs out.
 */
export function renderCompiled(
  compiled: CompiledTemplate,
  context: TemplateContext,
  mode: TemplateMode,
): string {
  const templates = parse(compiled, mode);
  try {
    return engines[mode].renderSync(templates, context) as string;
  } catch (e) {
    throw toTemplateError(e, 'render');
  }
}

/** Parses and renders in one call; prefer compileTemplate + renderCompiled for repeated renders. */
export function renderTemplate(source: string, context: TemplateContext, mode: TemplateMode): string {
  return renderCompiled(compileTemplate(source), context, mode);
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

/** What a template is tried with when it is saved: budgets that run out here run out for everyone. */
const SAMPLE_CONTEXT: TemplateContext = {
  contact: {
    email: 'ada@example.com',
    firstName: 'Ada',
    lastName: 'Lovelace',
    company: 'Example Ltd',
    timezone: 'Europe/London',
    attributes: {},
  },
  sender: { name: 'Sales', email: 'sales@example.com' },
  campaign: { name: 'Campaign' },
  sequence: { name: 'Sequence' },
  unsubscribe_url: 'https://example.com/u/sample',
};

/**
 * Checks a template before it is saved; throws TemplateError with a readable message when it
 * cannot be parsed, uses a forbidden tag, names an unknown variable, or runs out of a budget when
 * rendered for a sample contact (work that depends only on the template shows up here; work that
 * depends on a contact's data is stopped at send time).
 */
export function validateTemplate(source: string, variables: TemplateVariables = CAMPAIGN_VARIABLES): void {
  const compiled = compileTemplate(source);
  let segments: (string | number)[][];
  try {
    segments = engines.text.globalVariableSegmentsSync(compiled.parsed.text!) as (string | number)[][];
  } catch (e) {
    throw toTemplateError(e, 'parse');
  }
  for (const path of segments) {
    const [root, child] = path.map(String);
    const known = Object.hasOwn(variables, root) ? variables[root] : undefined;
    const name = path.join('.');
    if (!known)
      throw new TemplateError(
        `Unknown variable "${name}": use ${listOf(Object.keys(variables))}`,
        'unknown-variable',
      );
    if (known === 'leaf' && child !== undefined)
      throw new TemplateError(`Unknown variable "${name}"`, 'unknown-variable');
    if (known !== 'leaf' && child !== undefined && !known.has(child)) {
      throw new TemplateError(
        `Unknown variable "${name}": ${root} has ${[...known].join(', ')}`,
        'unknown-variable',
      );
    }
  }
  try {
    renderCompiled(compiled, SAMPLE_CONTEXT, 'html');
  } catch (e) {
    // Only budgets refuse a template here: other render errors may depend on the sample's data.
    if (e instanceof TemplateError && e.kind === 'limit') throw e;
  }
}
