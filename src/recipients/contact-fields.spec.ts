import { isValidEmail, mergeByEmail, normalizeEmail, type ContactFields } from './contact-fields.js';

const contact = (over: Partial<ContactFields>): ContactFields => ({
  email: 'a@example.com',
  firstName: null,
  lastName: null,
  company: null,
  timezone: null,
  attributes: {},
  ...over,
});

describe('contact fields', () => {
  it('normalizes and validates addresses', () => {
    expect(normalizeEmail('  Ada@Example.COM ')).toBe('ada@example.com');
    expect(isValidEmail('ada@example.com')).toBe(true);
    expect(isValidEmail('ada@')).toBe(false);
    expect(isValidEmail(`${'a'.repeat(64)}@${'b'.repeat(190)}.com`)).toBe(false);
  });

  it('merges entries of one address, later non-null fields winning', () => {
    const merged = mergeByEmail([
      contact({ firstName: 'Ada', company: 'A', attributes: { x: 1 } }),
      contact({ email: 'b@example.com' }),
      contact({ company: 'B', attributes: { y: 2 } }),
    ]);
    expect(merged).toEqual([
      contact({ firstName: 'Ada', company: 'B', attributes: { x: 1, y: 2 } }),
      contact({ email: 'b@example.com' }),
    ]);
  });
});
