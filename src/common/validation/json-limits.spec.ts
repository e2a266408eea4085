import { jsonProblem } from './json-limits.js';

describe('jsonProblem', () => {
  const limits = { maxDepth: 3, maxBytes: 100 };
  const nested = (n: number) => {
    let v: unknown = 1;
    for (let i = 0; i < n; i++) v = { a: v };
    return v;
  };

  it('accepts what fits and names the first limit broken', () => {
    expect(jsonProblem({ a: { b: [1, 'x'] } }, limits)).toBeNull();
    expect(jsonProblem({ a: { b: [[1]] } }, limits)).toBe('depth');
    expect(jsonProblem({ text: 'é'.repeat(45) }, limits)).toBe('bytes'); // 90 bytes of é plus the rest
    expect(jsonProblem(JSON.parse('{"__proto__": {"admin": true}}'), limits)).toBe('key');
  });

  it('measures a value nested 100,000 levels deep without exhausting the stack', () => {
    expect(jsonProblem(nested(100_000), { maxDepth: 5, maxBytes: 1e9 })).toBe('depth');
  });
});
