import { signUpWithOrg, type Account } from './factories/accounts.js';
import { GraphQLClient, subscribe } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('auth and tenancy over HTTP and WebSocket', () => {
  let t: TestApp;
  let api: GraphQLClient;
  let alice: Account;
  let bob: Account;

  beforeAll(async () => {
    t = await startTestApp();
    api = new GraphQLClient(t.url);
    alice = await signUpWithOrg(api, 'alice');
    bob = await signUpWithOrg(api, 'bob');
  });
  afterAll(() => t.close());

  it('signs up, logs in and answers me with the token', async () => {
    const { login } = await api.ok(
      `mutation($i: LoginInput!) { login(input: $i) { accessToken user { email } } }`,
      {
        i: { email: alice.email.toUpperCase(), password: 'correct-horse-battery' },
      },
    );
    expect(login.user.email).toBe(alice.email);
    const { me } = await api.as({ token: login.accessToken }).ok(`{ me { id email } }`);
    expect(me).toEqual({ id: alice.userId, email: alice.email });
  });

  it('lists only the organizations the caller belongs to, with the role', async () => {
    const { organizations } = await api.as({ token: alice.token }).ok(`{ organizations { id role } }`);
    expect(organizations).toEqual([{ id: alice.org, role: 'OWNER' }]);
  });

  it('answers UNAUTHENTICATED for a missing, forged or wrong-password credential', async () => {
    expect((await api.error(`{ me { id } }`)).extensions?.code).toBe('UNAUTHENTICATED');
    const forged = alice.token.slice(0, -4) + 'AAAA';
    expect((await api.as({ token: forged }).error(`{ me { id } }`)).extensions?.code).toBe('UNAUTHENTICATED');
    const wrong = await api.error(
      `mutation { login(input: { email: "${alice.email}", password: "nope-nope-nope" }) { accessToken } }`,
    );
    expect(wrong.extensions?.code).toBe('UNAUTHENTICATED');
    expect(wrong.message).toBe('Email or password is incorrect');
  });

  it('rejects bad input with BAD_USER_INPUT naming the field, and a taken email with CONFLICT', async () => {
    const bad = await api.error(
      `mutation { signUp(input: { email: "not-an-email", password: "long-enough-pw" }) { accessToken } }`,
    );
    expect(bad.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
    const short = await api.error(
      `mutation { signUp(input: { email: "x@example.com", password: "short" }) { accessToken } }`,
    );
    expect(short.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
    const taken = await api.error(
      `mutation { signUp(input: { email: "${alice.email}", password: "long-enough-pw" }) { accessToken } }`,
    );
    expect(taken.extensions).toMatchObject({ code: 'CONFLICT', field: 'email' });
    const zone = await api
      .as({ token: alice.token })
      .error(`mutation { createOrganization(input: { name: "X", timezone: "Mars/Olympus" }) { id } }`);
    expect(zone.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'timezone' });
  });

  it("forbids reading or changing another organization's data, and changes nothing", async () => {
    const asBobInAlice = api.as({ token: bob.token, org: alice.org });
    expect((await asBobInAlice.error(`{ organization { name } }`)).extensions?.code).toBe('FORBIDDEN');
    const change = await asBobInAlice.error(
      `mutation { updateOrganization(input: { name: "pwned" }) { name } }`,
    );
    expect(change.extensions?.code).toBe('FORBIDDEN');
    const { organization } = await api
      .as({ token: alice.token, org: alice.org })
      .ok(`{ organization { name } }`);
    expect(organization.name).toBe('alice org');
    const garbage = await api.as({ token: bob.token, org: 'not-a-uuid' }).error(`{ organization { name } }`);
    expect(garbage.extensions?.code).toBe('FORBIDDEN');
  });

  it('asks for the organization header on organization operations', async () => {
    const e = await api.as({ token: alice.token }).error(`{ organization { id } }`);
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'x-organization-id' });
  });

  it('enforces roles: a VIEWER may read but not change', async () => {
    const viewer = await signUpWithOrg(api, 'viewer');
    await t.prisma.db.membership.create({
      data: { userId: viewer.userId, organizationId: alice.org, role: 'VIEWER' },
    });
    const asViewer = api.as({ token: viewer.token, org: alice.org });
    expect((await asViewer.ok(`{ organization { id role } }`)).organization).toEqual({
      id: alice.org,
      role: 'VIEWER',
    });
    const e = await asViewer.error(
      `mutation { updateOrganization(input: { name: "viewer was here" }) { id } }`,
    );
    expect(e.extensions?.code).toBe('FORBIDDEN');
  });

  it('limits query cost and never leaks internals', async () => {
    const wide = `{ ${Array.from({ length: 2100 }, (_, i) => `m${i}: me { id }`).join(' ')} }`;
    const e = await api.as({ token: alice.token }).error(wide);
    expect(e.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(e.message).toMatch(/too complex/);
    const body = JSON.stringify(await api.request(`{ nope }`));
    expect(body).not.toMatch(/stacktrace|node_modules|at .*\.js/);
  });

  it('authenticates subscriptions through connectionParams and scopes them to the organization', async () => {
    const ws = api.ws({ token: alice.token, org: alice.org });
    const sub = subscribe(ws, `subscription { organizationUpdated { organizationId name } }`);
    const intruderWs = api.ws({ token: bob.token, org: alice.org });
    const intruder = subscribe(intruderWs, `subscription { organizationUpdated { name } }`);
    const anonWs = api.ws({ org: alice.org });
    const anon = subscribe(anonWs, `subscription { organizationUpdated { name } }`);
    try {
      await expect(intruder.waitFor(() => false, 5000)).rejects.toThrow(/FORBIDDEN/);
      await expect(anon.waitFor(() => false, 5000)).rejects.toThrow(/UNAUTHENTICATED/);
      // The subscription is live once the server has registered it; retry the change until it arrives.
      const owner = api.as({ token: alice.token, org: alice.org });
      let n = 0;
      const events = await Promise.race([
        sub.waitFor((ev) => ev.length > 0),
        (async () => {
          for (;;) {
            await owner.ok(`mutation($n: String) { updateOrganization(input: { name: $n }) { id } }`, {
              n: `alice org ${++n}`,
            });
            if (sub.events.length) return sub.events;
            await new Promise((r) => setTimeout(r, 100));
          }
        })(),
      ]);
      expect(events[0].organizationUpdated.organizationId).toBe(alice.org);
      expect(events[0].organizationUpdated.name).toMatch(/^alice org \d+$/);
    } finally {
      sub.dispose();
      intruder.dispose();
      anon.dispose();
      await Promise.all([ws.dispose(), intruderWs.dispose(), anonWs.dispose()]);
    }
  });
});
