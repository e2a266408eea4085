import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function asObject(value: unknown): Record<string, unknown> {
  if (!isPlainObject(value)) throw new GraphQLError('JSONObject must be a JSON object');
  return value;
}

/** A JSON object (string keys, any JSON values), e.g. a contact's personalization attributes. */
export const GraphQLJSONObject = new GraphQLScalarType<Record<string, unknown>, Record<string, unknown>>({
  name: 'JSONObject',
  description: 'A JSON object with string keys and any JSON values.',
  serialize: asObject,
  parseValue: asObject,
  parseLiteral(ast, variables) {
    if (ast.kind !== Kind.OBJECT) throw new GraphQLError('JSONObject must be a JSON object', { nodes: ast });
    return asObject(valueFromASTUntyped(ast, variables));
  },
});
