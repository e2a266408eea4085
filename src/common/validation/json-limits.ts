/**
 * Measures untrusted JSON without recursion: a value nested thousands of levels deep would
 * exhaust the stack of JSON.stringify, class-transformer or a recursive validator.
 */
export interface JsonLimits {
  /** Levels of objects and arrays; the outer object is level 1. */
  maxDepth: number;
  /** Size of its JSON text in UTF-8 bytes. */
  maxBytes: number;
}

export type JsonProblem = 'depth' | 'bytes' | 'key';

/** Keys that change an object's prototype when assigned (`Object.assign`, spreads into setters). */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The first limit the value breaks, or null. The size is computed only once the depth is known to be safe. */
export function jsonProblem(value: unknown, limits: JsonLimits): JsonProblem | null {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > limits.maxDepth) return 'depth';
    if (Array.isArray(v)) {
      for (const item of v) stack.push([item, depth + 1]);
    } else {
      for (const [key, item] of Object.entries(v)) {
        if (UNSAFE_KEYS.has(key)) return 'key';
        stack.push([item, depth + 1]);
      }
    }
  }
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8') > limits.maxBytes ? 'bytes' : null;
}

/** Words for a JsonProblem of the field `name`. */
export function describeJsonProblem(name: string, problem: JsonProblem, limits: JsonLimits): string {
  if (problem === 'depth') return `${name} must not nest deeper than ${limits.maxDepth} levels`;
  if (problem === 'key') return `${name} must not use the keys __proto__, constructor or prototype`;
  return `${name} must be at most ${Math.round(limits.maxBytes / 1024)} KB of JSON`;
}
