import { nestsDeeperThan, parseLimited } from './document-limits.js';

describe('document nesting before parsing', () => {
  const nested = (n: number) => `{ ${'a { '.repeat(n)}b${' }'.repeat(n)} }`;

  it('measures brackets, braces and parentheses', () => {
    expect(nestsDeeperThan(nested(9), 10)).toBe(false);
    expect(nestsDeeperThan(nested(10), 10)).toBe(true);
    expect(nestsDeeperThan(`{ a(x: [[[1]]]) }`, 4)).toBe(true);
    expect(nestsDeeperThan(`{ a(x: [[[1]]]) }`, 5)).toBe(false);
  });

  it('ignores brackets inside strings, block strings and comments', () => {
    const inert = `{ a(x: "{{{{[[[[", y: """ {{{{ \\""" [[[[ """) # ((((((((\n b }`;
    expect(nestsDeeperThan(inert, 3)).toBe(false);
  });

  it('refuses a deep document as a parse error instead of exhausting the stack', () => {
    expect(() => parseLimited(nested(10000), 1_000_000)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'GRAPHQL_PARSE_FAILED' }) }),
    );
    expect(() => parseLimited('{ a b c d e }', 5)).toThrow(/more that 5 tokens/);
    expect(parseLimited(nested(20), 1000).kind).toBe('Document');
  });
});
