import { Liquid, Tag, toValue, type Context, type FS, type Template } from 'liquidjs';

/**
 * The LiquidJS engines behind campaign templates, made pure and bounded:
 * - no file system and no network: `include`, `render` and `layout` are not tags here (parsing a
 *   template that uses them fails with ForbiddenTagError), and the engine's file system refuses
 *   every read in case a future tag tried one;
 * - every render is bounded by deterministic budgets (work, memory, output) and by a wall-clock
 *   backstop, so one template cannot hold the event loop or the heap for long.
 */

/** Budgets of one template. Work and output are ours; memory, parse and time are LiquidJS's own. */
export const TEMPLATE_LIMITS = {
  /** Characters of template source (LiquidJS `parseLimit`); inputs allow 500,000. */
  sourceChars: 1_000_000,
  /**
   * Steps of one render: each block rendered (the template, every loop iteration, every branch
   * taken) costs one plus its number of nodes. A rich email template uses a few hundred.
   */
  workSteps: 5_000,
  /**
   * LiquidJS `memoryLimit`: characters and array elements that filters and ranges create
   * (`append`, `split`, `(1..n)`, …), summed over the render.
   */
  memoryUnits: 300_000,
  /** Characters written, including `capture` blocks: what the render puts in memory as text. */
  outputChars: 1_000_000,
  /** LiquidJS `renderLimit` in ms: a backstop; the budgets above stop a render long before it. */
  renderMs: 1_000,
} as const;

export type TemplateLimit = 'source' | 'work' | 'memory' | 'output' | 'time';

/** A render or parse stopped by one of the budgets. */
export class TemplateLimitError extends Error {
  constructor(readonly limit: TemplateLimit) {
    super(`template ${limit} limit exceeded`);
    this.name = 'TemplateLimitError';
  }
}

/** A tag that would read other templates (files) was used. */
export class ForbiddenTagError extends Error {
  constructor(readonly tag: string) {
    super(`the ${tag} tag is not allowed`);
    this.name = 'ForbiddenTagError';
  }
}

export const FORBIDDEN_TAGS = ['include', 'render', 'layout'] as const;

/** LiquidJS's own limit errors, by their message (they are plain assertion errors). */
const LIQUID_LIMITS: [RegExp, TemplateLimit][] = [
  [/^parse length limit exceeded/, 'source'],
  [/^memory alloc limit exceeded/, 'memory'],
  [/^template render limit exceeded/, 'time'],
];

/** The error at the bottom of LiquidJS's wrapping (RenderError → … → the thrown error). */
export function rootCause(error: unknown): unknown {
  let e = error;
  for (let i = 0; i < 100 && e && typeof e === 'object' && 'originalError' in e && e.originalError; i++)
    e = e.originalError;
  return e;
}

/** Our typed view of a failure inside LiquidJS: a budget, a forbidden tag, or null for anything else. */
export function classifyLiquidError(error: unknown): TemplateLimitError | ForbiddenTagError | null {
  const root = rootCause(error);
  if (root instanceof TemplateLimitError || root instanceof ForbiddenTagError) return root;
  if (root instanceof RangeError) return new TemplateLimitError('work'); // nesting deep enough to exhaust the stack
  const message = root instanceof Error ? root.message : '';
  const hit = LIQUID_LIMITS.find(([pattern]) => pattern.test(message));
  return hit ? new TemplateLimitError(hit[1]) : null;
}

const noFiles: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => {
    throw new ForbiddenTagError('include');
  },
  readFileSync: () => {
    throw new ForbiddenTagError('include');
  },
  resolve: (_dir, file) => file,
  contains: async () => false,
  containsSync: () => false,
};

/** Work and output spent by one render; keyed by its LiquidJS context (loops and captures share it). */
interface Budget {
  steps: number;
  output: number;
}
const budgets = new WeakMap<Context, Budget>();

/** LiquidJS's own stringification of written values (its `stringify` is not exported). */
function stringify(value: unknown): string {
  const v: unknown = toValue(value);
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(stringify).join('');
  // Same as LiquidJS: numbers, booleans and objects as String() makes them.
  return `${v as string}`;
}

/** An emitter that counts what is written against the output budget. */
class BoundedEmitter {
  buffer = '';
  constructor(private readonly budget: Budget) {}
  write(html: unknown) {
    const text = stringify(html);
    this.budget.output += text.length;
    if (this.budget.output > TEMPLATE_LIMITS.outputChars) throw new TemplateLimitError('output');
    this.buffer += text;
  }
}

type RenderTemplates = (
  templates: Template[],
  ctx: Context,
  emitter?: unknown,
) => Generator<unknown, unknown, unknown>;

function createEngine(mode: 'html' | 'text'): Liquid {
  const engine = new Liquid({
    ...(mode === 'html' ? { outputEscape: 'escape' as const } : {}),
    ownPropertyOnly: true,
    strictFilters: true,
    fs: noFiles,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    parseLimit: TEMPLATE_LIMITS.sourceChars,
    memoryLimit: TEMPLATE_LIMITS.memoryUnits,
    renderLimit: TEMPLATE_LIMITS.renderMs,
  });
  for (const name of FORBIDDEN_TAGS) {
    engine.registerTag(
      name,
      class extends Tag {
        constructor(...args: ConstructorParameters<typeof Tag>) {
          super(...args);
          throw new ForbiddenTagError(name);
        }
        render() {
          throw new ForbiddenTagError(name);
        }
      },
    );
  }
  // Every block LiquidJS renders goes through renderTemplates: the template itself, each loop
  // iteration, each branch, each capture. Counting there bounds the work of any template.
  const renderer = engine.renderer as unknown as { renderTemplates: RenderTemplates };
  const original = renderer.renderTemplates.bind(renderer);
  renderer.renderTemplates = function* (templates, ctx, emitter) {
    let budget = budgets.get(ctx);
    if (!budget) budgets.set(ctx, (budget = { steps: 0, output: 0 }));
    budget.steps += 1 + templates.length;
    if (budget.steps > TEMPLATE_LIMITS.workSteps) throw new TemplateLimitError('work');
    return yield* original(templates, ctx, emitter ?? new BoundedEmitter(budget));
  };
  return engine;
}

/** HTML bodies (values HTML-escaped) and text (subject, text body). */
export const engines = { html: createEngine('html'), text: createEngine('text') };
