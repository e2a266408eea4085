import { ProviderRegistry } from '../src/providers/provider-registry.js';
import { SenderAccountsService } from '../src/providers/sender-accounts.service.js';
import { signUpWithOrg, type Account } from './factories/accounts.js';
import { consent, open } from './support/browser.js';
import { startFakeGoogle, type FakeGoogle } from './support/fake-google.js';
import { startFakeMicrosoft, type FakeMicrosoft } from './support/fake-microsoft.js';
import { GraphQLClient } from './support/graphql-client.js';
import { ManualClock } from './support/manual-clock.js';
import { outgoing } from './support/mime.js';
import { storedCredentials } from './support/oauth-mailboxes.js';
import { fakeProviders } from './support/provider-config.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const AUTH_URL = `query($p: MailProviderType!) { senderAccountAuthorizationUrl(provider: $p) }`;
const FIELDS =
  'id provider email status dailyCap minGapSeconds timezone displayName windowStartMinute windowEndMinute windowDays lastError';
const LIST = `{ senderAccounts { ${FIELDS} } }`;
const CONNECT = `mutation($i: ConnectSenderAccountInput!) { connectSenderAccount(input: $i) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $i: UpdateSenderAccountInput!) { updateSenderAccount(id: $id, input: $i) { ${FIELDS} } }`;

/** Connecting Gmail and Microsoft 365 mailboxes: the consent flow driven like a browser, and pasted tokens. */
describe('connecting Gmail and Microsoft mailboxes', () => {
  let google: FakeGoogle;
  let ms: FakeMicrosoft;
  let t: TestApp;
  let api: GraphQLClient;
  let alice: Account;
  let asAlice: GraphQLClient;
  const clock = new ManualClock();

  beforeAll(async () => {
    [google, ms] = await Promise.all([startFakeGoogle(), startFakeMicrosoft()]);
    t = await startTestApp(fakeProviders({ google, microsoft: ms }), 'all', { clock });
    api = new GraphQLClient(t.url);
    alice = await signUpWithOrg(api, 'alice');
    asAlice = api.as({ token: alice.token, org: alice.org });
    for (const email of ['ada@example.com', 'eve@gmail.com', 'mallory@example.com', 'pat@example.com'])
      google.addUser(email);
    for (const email of ['bob@contoso.example', 'carol@contoso.example']) ms.addUser(email);
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([google.close(), ms.close()]);
  });

  const accounts = async () => (await asAlice.ok(LIST)).senderAccounts as Record<string, any>[];
  const authUrl = async (p: string) =>
    (await asAlice.ok(AUTH_URL, { p })).senderAccountAuthorizationUrl as string;
  const codeExchanges = () =>
    google.tokenGrants('authorization_code').length + ms.tokenGrants('authorization_code').length;

  it('Google: consent URL → consent page → callback creates a Gmail mailbox that can send', async () => {
    const url = new URL(await authUrl('GMAIL'));
    expect(url.origin + url.pathname).toBe(google.authorizeUrl);
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.get('scope')).toContain('https://www.googleapis.com/auth/gmail.send');
    expect(url.searchParams.get('redirect_uri')).toBe(`${t.url}/oauth/google/callback`);

    const callback = await consent(url.toString(), 'ada@example.com');
    expect(callback.startsWith(`${t.url}/oauth/google/callback?`)).toBe(true);
    const page = await open(callback);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Mailbox connected');
    expect(page.html).toContain('ada@example.com (Google)');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");

    const [ada] = (await accounts()).filter((a) => a.email === 'ada@example.com');
    expect(ada).toMatchObject({ provider: 'GMAIL', status: 'ACTIVE', dailyCap: 2000, minGapSeconds: 2 });
    const mailbox = await t.app.get(SenderAccountsService).loadMailbox(alice.org, ada.id);
    expect(mailbox.credentials.refreshToken).toBeTruthy();
    const sent = await t.app
      .get(ProviderRegistry)
      .get('GMAIL')
      .send(mailbox, await outgoing(ada.email, 'x@example.org'));
    expect(google.mailbox('ada@example.com').sent()[0].id).toBe(sent.providerMessageId);
  });

  it('Microsoft: the same flow creates a Microsoft 365 mailbox with its limits, and it can send', async () => {
    const url = new URL(await authUrl('MICROSOFT'));
    expect(url.searchParams.get('scope')).toContain('offline_access');
    expect(url.searchParams.get('scope')).toContain('Mail.Send');
    const page = await open(await consent(url.toString(), 'bob@contoso.example'));
    expect(page.status).toBe(200);
    expect(page.html).toContain('bob@contoso.example (Microsoft)');
    const [bob] = (await accounts()).filter((a) => a.email === 'bob@contoso.example');
    expect(bob).toMatchObject({ provider: 'MICROSOFT', status: 'ACTIVE', dailyCap: 10000, minGapSeconds: 2 });
    const mailbox = await t.app.get(SenderAccountsService).loadMailbox(alice.org, bob.id);
    await t.app
      .get(ProviderRegistry)
      .get('MICROSOFT')
      .send(mailbox, await outgoing(bob.email, 'x@example.org'));
    expect(ms.mailbox('bob@contoso.example').sent()).toHaveLength(1);
  });

  it('refuses a forged, reused or expired state, or a denied consent, and stores nothing', async () => {
    const before = (await accounts()).length;
    const exchanges = codeExchanges();

    const callback = new URL(await consent(await authUrl('GMAIL'), 'mallory@example.com'));
    const state = callback.searchParams.get('state')!;
    const forged = new URL(callback);
    forged.searchParams.set('state', state.slice(0, -2) + (state.endsWith('AA') ? 'BB' : 'AA'));
    const f = await open(forged.toString());
    expect(f.status).toBe(400);
    expect(f.html).toContain('not issued by this server');

    const noState = new URL(callback);
    noState.searchParams.delete('state');
    expect((await open(noState.toString())).status).toBe(400);

    const microsoftState = new URL(callback.toString().replace('/oauth/google/', '/oauth/microsoft/'));
    expect((await open(microsoftState.toString())).html).toContain('issued for another provider');

    const denied = await open(await consent(await authUrl('GMAIL'), 'mallory@example.com', 'deny'));
    expect(denied.status).toBe(400);
    expect(denied.html).toContain('Access was not granted');

    expect(codeExchanges()).toBe(exchanges);
    expect((await accounts()).length).toBe(before);

    // the genuine callback still works once, and only once
    const ok = await open(callback.toString());
    expect(ok.status).toBe(200);
    const again = await open(callback.toString());
    expect(again.status).toBe(400);
    expect(again.html).toContain('already been used');
    expect(codeExchanges()).toBe(exchanges + 1);
    const expiring = await consent(await authUrl('GMAIL'), 'mallory@example.com');
    clock.advance(t.config.oauth.stateTtlSeconds * 1000 + 1000);
    const e = await open(expiring);
    expect(e.status).toBe(400);
    expect(e.html).toContain('expired');

    expect(codeExchanges()).toBe(exchanges + 1);
    expect((await accounts()).filter((a) => a.email === 'mallory@example.com')).toHaveLength(1);
  });

  it('escapes what the provider sends back, and refuses a user who is no longer an admin', async () => {
    const url = new URL(await authUrl('MICROSOFT'));
    const callback = new URL(`${t.url}/oauth/microsoft/callback`);
    callback.searchParams.set('state', url.searchParams.get('state')!);
    callback.searchParams.set('error', 'server_error');
    callback.searchParams.set('error_description', '<script>alert(1)</script>');
    const page = await open(callback.toString());
    expect(page.status).toBe(400);
    expect(page.html).not.toContain('<script>');
    expect(page.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');

    const pending = await consent(await authUrl('MICROSOFT'), 'carol@contoso.example');
    await t.prisma.db.membership.updateMany({
      where: { userId: alice.userId, organizationId: alice.org },
      data: { role: 'MEMBER' },
    });
    try {
      const refused = await open(pending);
      expect(refused.status).toBe(403);
    } finally {
      await t.prisma.db.membership.updateMany({
        where: { userId: alice.userId, organizationId: alice.org },
        data: { role: 'OWNER' },
      });
    }
    expect((await accounts()).some((a) => a.email === 'carol@contoso.example')).toBe(false);
  });

  it('reconnects a disconnected mailbox through the consent flow, keeping its settings', async () => {
    const [ada] = (await accounts()).filter((a) => a.email === 'ada@example.com');
    await asAlice.ok(UPDATE, { id: ada.id, i: { dailyCap: 500 } });
    await asAlice.ok(`mutation($id: ID!) { disconnectSenderAccount(id: $id) { id } }`, { id: ada.id });
    const page = await open(await consent(await authUrl('GMAIL'), 'ada@example.com'));
    expect(page.html).toContain('Mailbox reconnected');
    const [again] = (await accounts()).filter((a) => a.email === 'ada@example.com');
    expect(again).toMatchObject({ id: ada.id, status: 'ACTIVE', dailyCap: 500 });
  });

  it('connects with a pasted refresh token (automation): checked against the address; Microsoft stores the rotated token', async () => {
    const { connectSenderAccount: eve } = await asAlice.ok(CONNECT, {
      i: {
        provider: 'GMAIL',
        email: 'eve@gmail.com',
        oauth: { refreshToken: google.issueRefreshToken('eve@gmail.com') },
      },
    });
    expect(eve).toMatchObject({ provider: 'GMAIL', status: 'ACTIVE', dailyCap: 500, minGapSeconds: 2 });

    const wrong = await asAlice.error(CONNECT, {
      i: {
        provider: 'GMAIL',
        email: 'pat@example.com',
        oauth: { refreshToken: google.issueRefreshToken('eve@gmail.com') },
      },
    });
    expect(wrong.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
    const revoked = await asAlice.error(CONNECT, {
      i: { provider: 'GMAIL', email: 'pat@example.com', oauth: { refreshToken: '1//not-a-token' } },
    });
    expect(revoked.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'oauth' });
    expect(revoked.message).toContain('invalid_grant');
    const missing = await asAlice.error(CONNECT, { i: { provider: 'GMAIL', email: 'pat@example.com' } });
    expect(missing.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'oauth' });
    const misplaced = await asAlice.error(CONNECT, {
      i: { provider: 'SANDBOX', email: 'pat@example.com', oauth: { refreshToken: 'x' } },
    });
    expect(misplaced.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'oauth' });
    expect((await accounts()).some((a) => a.email === 'pat@example.com')).toBe(false);

    const pasted = ms.issueRefreshToken('carol@contoso.example');
    const { connectSenderAccount: carol } = await asAlice.ok(CONNECT, {
      i: {
        provider: 'MICROSOFT',
        email: 'carol@contoso.example',
        dailyCap: 300,
        oauth: { refreshToken: pasted },
      },
    });
    expect(carol).toMatchObject({ status: 'ACTIVE', dailyCap: 300, minGapSeconds: 2 });
    const stored = await storedCredentials(t, alice.org, carol.id);
    expect(stored.refreshToken).not.toBe(pasted); // the pasted one was rotated away
    const mailbox = await t.app.get(SenderAccountsService).loadMailbox(alice.org, carol.id);
    await t.app
      .get(ProviderRegistry)
      .get('MICROSOFT')
      .send(mailbox, await outgoing(carol.email, 'x@example.org'));
    expect(ms.mailbox('carol@contoso.example').sent()).toHaveLength(1);
  });

  it('updateSenderAccount changes name and limits, validates like connect, needs ADMIN, and keeps tenants apart', async () => {
    const [bob] = (await accounts()).filter((a) => a.email === 'bob@contoso.example');
    const { updateSenderAccount: u } = await asAlice.ok(UPDATE, {
      id: bob.id,
      i: {
        displayName: 'Bob from Sales',
        dailyCap: 1500,
        minGapSeconds: 5,
        timezone: 'Europe/Berlin',
        windowStartMinute: 540,
        windowEndMinute: 1020,
        windowDays: [5, 1],
      },
    });
    expect(u).toMatchObject({
      displayName: 'Bob from Sales',
      dailyCap: 1500,
      minGapSeconds: 5,
      timezone: 'Europe/Berlin',
      windowStartMinute: 540,
      windowEndMinute: 1020,
      windowDays: [1, 5],
    });
    const { updateSenderAccount: cleared } = await asAlice.ok(UPDATE, {
      id: bob.id,
      i: { displayName: null, windowStartMinute: null, windowEndMinute: null },
    });
    expect(cleared).toMatchObject({
      displayName: null,
      windowStartMinute: null,
      windowEndMinute: null,
      dailyCap: 1500,
    });

    const cases: [Record<string, unknown>, string][] = [
      [{ dailyCap: 0 }, 'dailyCap'],
      [{ minGapSeconds: 3601 }, 'minGapSeconds'],
      [{ timezone: 'Mars/Olympus' }, 'timezone'],
      [{ windowStartMinute: 600 }, 'windowEndMinute'],
      [{ windowStartMinute: 600, windowEndMinute: 500 }, 'windowEndMinute'],
      [{ windowDays: [8] }, 'windowDays'],
    ];
    for (const [i, field] of cases) {
      const e = await asAlice.error(UPDATE, { id: bob.id, i });
      expect({ i, ...e.extensions }).toMatchObject({ i, code: 'BAD_USER_INPUT', field });
    }

    const mallet = await signUpWithOrg(api, 'mallet');
    const asMallet = api.as({ token: mallet.token, org: mallet.org });
    expect((await asMallet.error(UPDATE, { id: bob.id, i: { dailyCap: 1 } })).extensions?.code).toBe(
      'NOT_FOUND',
    );
    expect((await asMallet.ok(AUTH_URL, { p: 'GMAIL' })).senderAccountAuthorizationUrl).toContain('state='); // own org
    const member = await signUpWithOrg(api, 'member');
    await t.prisma.db.membership.create({
      data: { userId: member.userId, organizationId: alice.org, role: 'MEMBER' },
    });
    const asMember = api.as({ token: member.token, org: alice.org });
    expect((await asMember.error(UPDATE, { id: bob.id, i: { dailyCap: 1 } })).extensions?.code).toBe(
      'FORBIDDEN',
    );
    expect((await asMember.error(AUTH_URL, { p: 'GMAIL' })).extensions?.code).toBe('FORBIDDEN');
    const [after] = (await accounts()).filter((a) => a.email === 'bob@contoso.example');
    expect(after.dailyCap).toBe(1500);

    const smtp = await asAlice.error(AUTH_URL, { p: 'SMTP' });
    expect(smtp.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'provider' });
  });
});
