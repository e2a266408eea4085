import { buildSchema, parse, validate } from 'graphql';
import { loadConfig, type ResolvedConfig } from '../../config/config.js';
import { graphqlOptions } from './graphql-options.js';

describe('graphqlOptions depth limit', () => {
  const schema = buildSchema(`type Node { id: ID child: Node } type Query { node: Node }`);
  const config = { ...loadConfig({ GRAPHQL_MAX_DEPTH: '4' }) } as ResolvedConfig;
  const rules = graphqlOptions(config, { schema } as never).validationRules as never[];
  const nest = (depth: number): string => (depth === 0 ? 'id' : `child { ${nest(depth - 1)} }`);

  it('accepts a query at the limit and rejects one deeper', () => {
    expect(validate(schema, parse(`{ node { ${nest(2)} } }`), rules)).toEqual([]);
    const errors = validate(schema, parse(`{ node { ${nest(6)} } }`), rules);
    expect(errors[0]?.message).toMatch(/exceeds maximum operation depth of 4/);
  });
});
