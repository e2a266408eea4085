import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped, type ValueNode } from 'graphql';
import { jsonProblem, type JsonLimits, type JsonProblem } from '../validation/json-limits.js';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Bounds of any JSONObject input, far above what a field accepts (each field validates its own,
 * smaller limits). Past them the value is not even built: class-transformer and the validators
 * would recurse through it.
 */
export const JSON_INPUT_BOUNDS: JsonLimits = { maxDepth: 32, maxBytes: 1024 * 1024 };

/**
 * What a JSONObject input too deep or too large becomes. It is not an error here (graphql-js
 * would report it without the field's name): the field's validator refuses it as BAD_USER_INPUT.
 */
export class OversizedJson {
  constructor(readonly problem: JsonProblem) {}
}

function asObject(value: unknown): Record<string, unknown> {
  if (!isPlainObject(value)) throw new GraphQLError('JSONObject must be a JSON object');
  return value;
}

function bounded(value: unknown): Record<string, unknown> {
  const object = asObject(value);
  const problem = jsonProblem(object, JSON_INPUT_BOUNDS);
  return problem ? (new OversizedJson(problem) as unknown as Record<string, unknown>) : object;
}

/** Depth of a literal, measured without recursion before valueFromASTUntyped recurses through it. */
function literalDepth(ast: ValueNode, limit: number): number {
  const stack: [ValueNode, number][] = [[ast, 1]];
  let deepest = 0;
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    if (node.kind === Kind.OBJECT) node.fields.forEach((f) => stack.push([f.value, depth + 1]));
    else if (node.kind === Kind.LIST) node.values.forEach((v) => stack.push([v, depth + 1]));
  }
  return deepest;
}

/** A JSON object (string keys, any JSON values), e.g. a contact's personalization attributes. */
export const GraphQLJSONObject = new GraphQLScalarType<Record<string, unknown>, Record<string, unknown>>({
  name: 'JSONObject',
  description: 'A JSON object with string keys and any JSON values.',
  serialize: asObject,
  parseValue: bounded,
  parseLiteral(ast, variables) {
    if (ast.kind !== Kind.OBJECT) throw new GraphQLError('JSONObject must be a JSON object', { nodes: ast });
    // Leaves are scalars; objects and lists add a level each, as jsonProblem counts them.
    if (literalDepth(ast, JSON_INPUT_BOUNDS.maxDepth + 1) > JSON_INPUT_BOUNDS.maxDepth + 1) {
      return new OversizedJson('depth') as unknown as Record<string, unknown>;
    }
    return bounded(valueFromASTUntyped(ast, variables));
  },
});
