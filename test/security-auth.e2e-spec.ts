import { createHmac } from 'node:crypto';
import { signUpWithOrg, type Account } from './factories/accounts.js';
import { GraphQLClient } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const LOGIN = `mutation($i: LoginInput!) { login(input: $i) { accessToken } }`;
const PASSWORD = 'correct-horse-battery'; // what signUpWithOrg uses

/** A login from a given client address (the test app trusts X-Forwarded-For from loopback). */
async function login(url: string, email: string, password: string, from: string) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify({ query: LOGIN, variables: { i: { email, password } } }),
  });
  const body = (await res.json()) as {
    data?: { login: { accessToken: string } } | null;
    errors?: { message: string; extensions: { code: string; retryAfterSeconds?: number } }[];
  };
  return body.errors?.[0] ?? { ok: body.data!.login.accessToken };
}

/** An HS256 token with exactly these claims, signed with `secret`. */
function forge(claims: Record<string, unknown>, secret: string) {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/**
 * Issue 6, point 4: authentication resists guessing. Before, forty wrong passwords in a row were
 * forty UNAUTHENTICATED answers and the forty-first try could still be checked.
 */
describe('authentication resists guessing', () => {
  let t: TestApp;
  let api: GraphQLClient;
  let alice: Account;
  const previousSecret = 'the-secret-before-the-rotation-0123456789';

  beforeAll(async () => {
    t = await startTestApp({
      trustProxy: 'loopback',
      login: { maxFailuresPerAccount: 10, maxFailuresPerAddress: 25, windowSeconds: 900 },
      jwt: { previousSecret },
    });
    api = new GraphQLClient(t.url);
    alice = await signUpWithOrg(api, 'alice');
  });
  afterAll(() => t.close());

  it('stops forty wrong passwords for one account after ten, whatever the address, with a retry-after', async () => {
    const answers = [];
    for (let i = 0; i < 40; i++)
      answers.push(await login(t.url, alice.email, `wrong-password-${i}`, `198.51.100.${i + 1}`));
    const codes = answers.map((a) => ('ok' in a ? 'OK' : a.extensions.code));
    expect(codes.slice(0, 10)).toEqual(Array(10).fill('UNAUTHENTICATED'));
    expect(codes.slice(10)).toEqual(Array(30).fill('RATE_LIMITED'));
    const limited = answers[39] as { message: string; extensions: { retryAfterSeconds: number } };
    expect(limited.message).toMatch(/Too many failed sign-in attempts; try again in \d+ seconds/);
    expect(limited.extensions.retryAfterSeconds).toBeGreaterThan(0);
    expect(limited.extensions.retryAfterSeconds).toBeLessThanOrEqual(900);
    // The right password does not get through either: the limit is not an oracle.
    expect(await login(t.url, alice.email, PASSWORD, '198.51.100.200')).toMatchObject({
      extensions: { code: 'RATE_LIMITED' },
    });
  });

  it('answers an unknown account like a wrong password, after the same work', async () => {
    const dave = await signUpWithOrg(api, 'dave');
    const unknown = await login(t.url, 'nobody-at-all@example.com', 'wrong-password', '192.0.2.60');
    const wrong = await login(t.url, dave.email, 'wrong-password', '192.0.2.61');
    expect(unknown).toEqual(wrong);
    // Before, an unknown address skipped the Argon2 check and answered ~20 times faster. Medians
    // of five, and a ratio of 1/3 (well below the 1 that equal work gives), keep a busy machine's
    // noise out of the verdict.
    const time = async (email: string, i: number) => {
      const started = performance.now();
      await login(t.url, email, 'wrong-password', `192.0.2.${70 + i}`);
      return performance.now() - started;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const unknownTimes = [];
    const wrongTimes = [];
    for (let i = 0; i < 5; i++) {
      unknownTimes.push(await time(`ghost-${i}@example.com`, i));
      wrongTimes.push(await time(dave.email, i + 10));
    }
    expect(median(unknownTimes) / median(wrongTimes)).toBeGreaterThan(1 / 3);
  });

  it('refuses passwords that are blank, or the email address', async () => {
    const signUp = (email: string, password: string) =>
      api.error(`mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }`, {
        i: { email, password },
      });
    for (const [email, password, message] of [
      ['blank@example.com', ' '.repeat(12), /only spaces/],
      ['same.as.email@example.com', 'Same.As.Email@example.com', /email address/],
      ['localpart1@example.com', 'localpart1', /email address/],
      ['short@example.com', 'tiny', /at least 10/],
    ] as const) {
      const e = await signUp(email, password);
      expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
      expect(e.message).toMatch(message);
    }
    expect(
      await t.prisma.db.user.count({
        where: { email: { in: ['blank@example.com', 'same.as.email@example.com'] } },
      }),
    ).toBe(0);
  });

  it('accepts only tokens that expire, signed with the current secret or, during a rotation, the previous one', async () => {
    const base = {
      sub: alice.userId,
      email: alice.email,
      iss: t.config.jwt.issuer,
      aud: t.config.jwt.audience,
    };
    const now = Math.floor(Date.now() / 1000);
    const me = (token: string) => api.as({ token }).request(`{ me { id } }`);
    const secret = t.config.jwt.secret;
    expect((await me(forge({ ...base, exp: now + 600 }, secret))).data).toEqual({ me: { id: alice.userId } });
    expect((await me(forge(base, secret))).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED'); // no exp
    expect((await me(forge({ ...base, exp: now - 5 }, secret))).errors?.[0].extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
    expect((await me(forge({ ...base, exp: now + 600 }, previousSecret))).data).toEqual({
      me: { id: alice.userId },
    });
    expect((await me(forge({ ...base, exp: now + 600 }, 'x'.repeat(40)))).errors?.[0].extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
  });
  it('stops one address guessing across many accounts, known or not, and across API processes', async () => {
    const carol = await signUpWithOrg(api, 'carol');
    // A second API process on the same database and Redis: the counts are shared. (Last in the
    // file: Passport keeps one 'jwt' strategy per process, and the last app started takes it.)
    const other = await startTestApp({
      databaseUrl: t.config.databaseUrl,
      queue: t.config.queue,
      trustProxy: 'loopback',
      login: t.config.login,
    });
    try {
      const urls = [t.url, other.url];
      const codes = [];
      for (let i = 0; i < 30; i++)
        codes.push(
          ((await login(urls[i % 2], `nobody-${i}@example.com`, 'wrong-password', '203.0.113.7')) as any)
            .extensions.code,
        );
      expect(codes.slice(0, 25)).toEqual(Array(25).fill('UNAUTHENTICATED'));
      expect(codes.slice(25)).toEqual(Array(5).fill('RATE_LIMITED'));
      expect(await login(other.url, carol.email, PASSWORD, '203.0.113.7')).toMatchObject({
        extensions: { code: 'RATE_LIMITED' },
      });
      // Carol from her own address is not locked out by someone else's guessing.
      expect(await login(t.url, carol.email, PASSWORD, '192.0.2.55')).toHaveProperty('ok');
    } finally {
      await other.close();
    }
  });
});
