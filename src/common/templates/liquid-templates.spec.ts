import {
  compileTemplate,
  renderCompiled,
  renderTemplate,
  SEQUENCE_VARIABLES,
  TemplateError,
  validateTemplate,
  type TemplateContext,
} from './liquid-templates.js';

const ctx: TemplateContext = {
  contact: {
    email: 'ada@example.com',
    firstName: null,
    lastName: 'Lovelace',
    company: '<Engines>',
    timezone: null,
    attributes: { plan: 'pro' },
  },
  sender: { name: 'Sales', email: 'sales@example.com' },
  campaign: { name: 'Launch' },
  unsubscribe_url: 'http://x/u/1',
};

describe('liquid templates', () => {
  it('renders fallbacks, attributes and escapes HTML values', () => {
    expect(
      renderTemplate(
        'Hi {{ contact.firstName | default: "there" }} ({{ contact.attributes.plan }})',
        ctx,
        'text',
      ),
    ).toBe('Hi there (pro)');
    expect(renderTemplate('<b>{{ contact.company }}</b>', ctx, 'html')).toBe('<b>&lt;Engines&gt;</b>');
    expect(renderTemplate('{{ contact.company }}', ctx, 'text')).toBe('<Engines>');
  });

  it('accepts known variables and loop locals', () => {
    expect(() =>
      validateTemplate('{% assign n = contact.firstName %}{{ n }} {{ sender.name }} {{ unsubscribe_url }}'),
    ).not.toThrow();
  });

  it('rejects unknown variables and syntax errors with a readable message', () => {
    expect(() => validateTemplate('{{ contact.shoeSize }}')).toThrow(/Unknown variable "contact.shoeSize"/);
    expect(() => validateTemplate('{{ customer.name }}')).toThrow(TemplateError);
    expect(() => validateTemplate('{% if contact.email %}unclosed')).toThrow(/syntax error/);
    expect(() => validateTemplate('{{ contact.email | nosuchfilter }}')).toThrow(/syntax error/);
  });

  it('lets sequences name sequence.name but not campaign.name, and campaigns the reverse', () => {
    expect(() =>
      validateTemplate('{{ sequence.name }} {{ contact.email }}', SEQUENCE_VARIABLES),
    ).not.toThrow();
    expect(() => validateTemplate('{{ campaign.name }}', SEQUENCE_VARIABLES)).toThrow(
      'Unknown variable "campaign.name": use contact, sender, sequence or unsubscribe_url',
    );
    expect(() => validateTemplate('{{ sequence.name }}')).toThrow(
      'Unknown variable "sequence.name": use contact, sender, campaign or unsubscribe_url',
    );
    expect(() => validateTemplate('{{ sequence.owner }}', SEQUENCE_VARIABLES)).toThrow(/sequence has name/);
  });
});

describe('template purity and budgets', () => {
  const refusal = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return e as TemplateError;
    }
    throw new Error('expected a TemplateError');
  };

  it.each(['include', 'render', 'layout'])('refuses the %s tag when parsing, naming it', (tag) => {
    for (const source of [`{% ${tag} 'package.json' %}`, `{% liquid ${tag} 'package.json' %}`]) {
      const e = refusal(() => validateTemplate(source));
      expect(e).toBeInstanceOf(TemplateError);
      expect(e.kind).toBe('forbidden-tag');
      expect(e.detail.tag).toBe(tag);
      expect(e.message).toContain(`${tag} tag is not allowed`);
    }
    // Rendering a template stored before the check is refused the same way, and reads nothing.
    expect(() => renderTemplate(`a{% ${tag} 'package.json' %}b`, ctx, 'text')).toThrow(/not allowed/);
  });

  it('refuses a nested loop of 2,000 × 2,000 iterations at save time', () => {
    const e = refusal(() =>
      validateTemplate('{% for i in (1..2000) %}{% for j in (1..2000) %}x{% endfor %}{% endfor %}'),
    );
    expect(e.kind).toBe('limit');
    expect(e.message).toMatch(/too much/);
  });

  it('refuses a loop over an array built once, which allocates nothing per iteration', () => {
    const split = '{% assign a = "' + 'x,'.repeat(1999) + 'x" | split: "," %}';
    const e = refusal(() =>
      validateTemplate(`${split}{% for i in a %}{% for j in a %}{% endfor %}{% endfor %}`),
    );
    expect(e.detail.limit).toBe('work');
  });

  it('refuses a string doubled twenty times, with append or with capture', () => {
    const doubled = (body: string) =>
      `{% assign s = "xx" %}${Array.from({ length: 20 }, () => body).join('')}{{ s | size }}`;
    const append = refusal(() => validateTemplate(doubled('{% assign s = s | append: s %}')));
    expect(append.detail.limit).toBe('memory');
    const captured = doubled('{% capture s %}{{ s }}{{ s }}{% endcapture %}');
    expect(refusal(() => validateTemplate(captured)).kind).toBe('limit');
    // In text mode nothing is escaped (no allocation is charged): the output budget stops it.
    expect(refusal(() => renderTemplate(captured, ctx, 'text')).detail.limit).toBe('output');
  });

  it('stops at send time what only a contact makes expensive', () => {
    const source =
      '{% assign s = contact.attributes.seed %}{% for i in (1..20) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}';
    expect(() => validateTemplate(source)).not.toThrow(); // the sample contact has no seed
    const greedy = { ...ctx, contact: { ...ctx.contact, attributes: { seed: 'xx' } } };
    const e = refusal(() => renderTemplate(source, greedy, 'html'));
    expect(e.kind).toBe('limit');
    expect(e.message).toMatch(/builds too much data/);
  });

  it('refuses tags nested deeper than the stack allows, as a template error', () => {
    const deep = '{% if true %}'.repeat(20000) + 'x' + '{% endif %}'.repeat(20000);
    expect(refusal(() => validateTemplate(deep))).toBeInstanceOf(TemplateError);
  });

  it('compiles once and renders many times, in both modes, with a fresh budget per render', () => {
    const compiled = compileTemplate(
      '{% for i in (1..3000) %}{% endfor %}<b>{{ contact.company }}</b> {{ contact.attributes.plan }}',
    );
    for (let i = 0; i < 20; i++) {
      expect(renderCompiled(compiled, ctx, 'html')).toBe('<b>&lt;Engines&gt;</b> pro');
      expect(renderCompiled(compiled, ctx, 'text')).toBe('<b><Engines></b> pro');
    }
  });

  it('accepts an ordinary rich template', () => {
    const items = Array.from({ length: 50 }, (_, i) => `item${i}`).join(',');
    const source = `{% assign items = "${items}" | split: "," %}<ul>{% for item in items %}<li>{{ forloop.index }}. {{ item | upcase }} for {{ contact.firstName | default: "you" }}</li>{% endfor %}</ul>`;
    expect(() => validateTemplate(source)).not.toThrow();
    expect(renderTemplate(source, ctx, 'html')).toContain('<li>50. ITEM49 for you</li>');
  });
});
