import { parseDateTime } from './date-time.scalar.js';

describe('DateTime input', () => {
  it.each([
    ['2030-01-31T09:00:00Z', '2030-01-31T09:00:00.000Z'],
    ['2030-01-31T10:00:00+01:00', '2030-01-31T09:00:00.000Z'],
    ['2030-01-31T09:00Z', '2030-01-31T09:00:00.000Z'],
    ['2030-01-31t09:00:00.123456z', '2030-01-31T09:00:00.123Z'],
  ])('accepts %s', (input, iso) => {
    expect(parseDateTime(input).toISOString()).toBe(iso);
  });

  it.each([
    'soon',
    '',
    '2030-01-31',
    '2030-01-31T09:00:00',
    '99999-01-01T00:00:00Z',
    '+099999-01-01T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '1969-12-31T23:59:59Z',
    '2030-02-30T00:00:00Z',
    '2030-13-01T00:00:00Z',
    '2030-01-01T24:00:00Z',
    '2030-01-01T00:00:00+25:00',
  ])('refuses %j', (input) => {
    expect(Number.isNaN(parseDateTime(input).getTime())).toBe(true);
  });

  it('refuses numbers and other types', () => {
    for (const v of [1893456000000, null, {}, ['2030-01-31T09:00:00Z']])
      expect(Number.isNaN(parseDateTime(v).getTime())).toBe(true);
  });
});
