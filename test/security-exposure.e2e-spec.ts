import { signUpWithOrg, type Account } from './factories/accounts.js';
import { GraphQLClient, subscribe } from './support/graphql-client.js';
import { productionEnv, startTestApp, type TestApp } from './support/test-app.js';

/** A raw POST to /graphql: status, content type and the body as text. */
async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}
const gql = (query: string) => JSON.stringify({ query });
/** What a stack trace leaves in a page: frames, file positions, exception class names. */
const STACK = /\bat [\w.<>]+ \(|node_modules|\.[jt]s:\d+:\d+|\w+Exception\b|\w+Error:/;
const INTROSPECTION = `{ __schema { queryType { name } types { name } } }`;

/**
 * Issue 6, point 5: production reveals nothing it need not, and no environment answers with a
 * stack trace or lets a document crash the parser.
 */
describe('what the API reveals', () => {
  let prod: TestApp;
  let dev: TestApp;
  let prodUser: Account;

  beforeAll(async () => {
    // Passport keeps one 'jwt' strategy per process and the last app started wins it: start the
    // development app first and send it only requests that need no token.
    dev = await startTestApp({}, 'all', { env: { NODE_ENV: 'development' } });
    prod = await startTestApp({}, 'all', { env: productionEnv() });
    prodUser = await signUpWithOrg(new GraphQLClient(prod.url), 'exposure');
  });
  afterAll(async () => {
    await prod.close();
    await dev.close();
  });

  it('refuses introspection in production, over HTTP and WebSocket, but serves it in development', async () => {
    const refused = await post(prod.url, gql(INTROSPECTION));
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(refused.text).not.toContain('"types"');

    const api = new GraphQLClient(prod.url);
    const ws = api.ws({ token: prodUser.token, org: prodUser.org });
    const sub = subscribe(ws, `subscription { __schema { types { name } } }`);
    try {
      await expect(sub.waitFor(() => false, 5000)).rejects.toThrow(/introspection|__schema/i);
      expect(sub.events).toEqual([]);
    } finally {
      sub.dispose();
      await ws.dispose();
    }

    const served = await post(dev.url, gql(INTROSPECTION));
    expect(JSON.parse(served.text).data.__schema.queryType.name).toBe('Query');
  });

  it('gives no "Did you mean" suggestions in production', async () => {
    const prodAnswer = await post(prod.url, gql(`{ mee { id } }`));
    const prodError = JSON.parse(prodAnswer.text).errors[0];
    expect(prodError.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(prodError.message).toBe('Cannot query field "mee" on type "Query".');
    // The same mistake in development does get the hint: the production answer is a choice.
    const devError = JSON.parse((await post(dev.url, gql(`{ mee { id } }`))).text).errors[0];
    expect(devError.message).toMatch(/Did you mean "me"\?/);

    const api = new GraphQLClient(prod.url);
    const ws = api.ws({ token: prodUser.token, org: prodUser.org });
    const sub = subscribe(ws, `subscription { organizationUpdate { name } }`);
    try {
      const error = await sub.waitFor(() => false, 5000).catch((e: Error) => e.message);
      expect(error).toMatch(/Cannot query field .{0,2}organizationUpdate.{0,2} on type .{0,2}Subscription/);
      expect(error).not.toMatch(/Did you mean/);
    } finally {
      sub.dispose();
      await ws.dispose();
    }
  });

  it.each(['production', 'development'])(
    'answers malformed bodies and unknown routes with JSON and no stack trace (%s)',
    async (env) => {
      const url = env === 'production' ? prod.url : dev.url;
      const malformed = await post(url, '{"query": ');
      expect(malformed.status).toBe(400);
      expect(malformed.type).toMatch(/application\/json/);
      expect(malformed.text).not.toMatch(STACK);
      expect(JSON.parse(malformed.text)).toMatchObject({ statusCode: 400 });
      for (const path of ['/nope', '/graphql/../../etc/passwd', '/u/not-a-token']) {
        const res = await fetch(url + path);
        const text = await res.text();
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(text).not.toMatch(STACK);
      }
      const tooLarge = await post(
        url,
        JSON.stringify({ query: `{ me { id } }`, pad: 'x'.repeat(26 * 1024 * 1024) }),
      );
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.text).not.toMatch(STACK);
    },
  );

  it('answers complexity and depth refusals as HTTP 400 with their code', async () => {
    const auth = { authorization: `Bearer ${prodUser.token}` };
    const wide = `{ ${Array.from({ length: 2100 }, (_, i) => `m${i}: me { id }`).join(' ')} }`;
    const complex = await post(prod.url, gql(wide), auth);
    expect(complex.status).toBe(400);
    expect(JSON.parse(complex.text).errors[0]).toMatchObject({
      message: expect.stringMatching(/too complex/),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    const nest = (depth: number): string =>
      depth === 0 ? 'id' : `organizations { id name } me { id } a${depth}: me { ${nest(depth - 1)} }`;
    const deep = await post(prod.url, gql(`{ me { ${nest(12)} } }`), auth);
    expect(deep.status).toBe(400);
    expect(JSON.parse(deep.text).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it.each([
    ['selections', `{ ${'a { '.repeat(10000)}b${' }'.repeat(10000)} }`],
    ['lists', `{ me(x: ${'['.repeat(10000)}1${']'.repeat(10000)}) { id } }`],
    ['objects', `{ me(x: ${'{a: '.repeat(10000)}1${'}'.repeat(10000)}) { id } }`],
    ['unclosed braces', '{'.repeat(10000)],
  ])('answers a parser nesting bomb of 10,000 %s with GRAPHQL_PARSE_FAILED', async (_name, query) => {
    const res = await post(prod.url, gql(query));
    expect(res.status).toBe(400);
    const body = JSON.parse(res.text);
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(res.text).not.toMatch(/INTERNAL_SERVER_ERROR|Maximum call stack/);
  });

  it('refuses a nesting bomb and queries over WebSocket, and keeps the socket for subscriptions', async () => {
    const api = new GraphQLClient(prod.url);
    const ws = api.ws({ token: prodUser.token, org: prodUser.org });
    const bomb = subscribe(ws, `subscription { ${'a { '.repeat(10000)}b${' }'.repeat(10000)} }`);
    const query = subscribe(ws, `query { me { id } }`);
    try {
      await expect(bomb.waitFor(() => false, 5000)).rejects.toThrow(/nests deeper/);
      await expect(query.waitFor(() => false, 5000)).rejects.toThrow(/Only subscriptions/);
    } finally {
      bomb.dispose();
      query.dispose();
      await ws.dispose();
    }
  });
});
