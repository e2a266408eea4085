import {
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
