import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { startTestApp, type TestApp } from './support/test-app.js';

const FILE = 'schema.graphql';

/** The committed schema.graphql is the public contract: it must match what the code serves. */
describe('schema.graphql', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t.close());

  it('matches the schema the code builds (UPDATE_SCHEMA=1 npm test -- test/schema rewrites it)', () => {
    const printed = printSchema(lexicographicSortSchema(t.app.get(GraphQLSchemaHost).schema)) + '\n';
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(FILE, printed);
    expect(existsSync(FILE)).toBe(true);
    expect(readFileSync(FILE, 'utf8')).toBe(printed);
  });

  it('describes every public type and field', () => {
    const schema = t.app.get(GraphQLSchemaHost).schema;
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Boolean', 'Int', 'Float', 'ID'].includes(type.name))
        continue;
      const root = ['Query', 'Mutation', 'Subscription'].includes(type.name);
      if (!type.description && !root) missing.push(type.name);
      if ('getFields' in type) {
        for (const field of Object.values(type.getFields()))
          if (!field.description) missing.push(`${type.name}.${field.name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
