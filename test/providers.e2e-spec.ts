import MailComposer from 'nodemailer/lib/mail-composer';
import { ProviderRegistry } from '../src/providers/provider-registry.js';
import { SandboxInboxService } from '../src/providers/sandbox/sandbox-inbox.service.js';
import { SenderAccountsService } from '../src/providers/sender-accounts.service.js';
import { SmtpProvider } from '../src/providers/smtp/smtp.provider.js';
import { usageDay } from '../src/providers/usage-day.js';
import { signUpWithOrg, type Account } from './factories/accounts.js';
import { startFakeSmtp, type FakeSmtp } from './support/fake-smtp.js';
import { GraphQLClient } from './support/graphql-client.js';
import { freePort } from './support/ports.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const FIELDS = `id provider email displayName status dailyCap minGapSeconds timezone
  windowStartMinute windowEndMinute windowDays atLeastOnce sentToday lastError createdAt`;
const CONNECT = `mutation($i: ConnectSenderAccountInput!) { connectSenderAccount(input: $i) { ${FIELDS} } }`;
const LIST = `{ senderAccounts { ${FIELDS} } }`;
const DISCONNECT = `mutation($id: ID!) { disconnectSenderAccount(id: $id) { id status } }`;

describe('sender accounts and providers over GraphQL', () => {
  let t: TestApp;
  let api: GraphQLClient;
  let alice: Account;
  let bob: Account;
  let smtp: FakeSmtp;
  let asAlice: GraphQLClient;
  let asBob: GraphQLClient;
  const smtpLogin = { username: 'alice-login', password: 'Sup3r-secret-app-password' };
  const smtpSettings = (overrides: Record<string, unknown> = {}) => ({
    host: smtp.host,
    port: smtp.port,
    secure: false,
    allowInsecureAuth: true,
    ...smtpLogin,
    ...overrides,
  });

  beforeAll(async () => {
    smtp = await startFakeSmtp({ auth: smtpLogin });
    // Any loopback port: this file also checks how a closed port is reported.
    t = await startTestApp({ mailboxHostAllowlist: [smtp.host] });
    api = new GraphQLClient(t.url);
    alice = await signUpWithOrg(api, 'alice');
    bob = await signUpWithOrg(api, 'bob');
    asAlice = api.as({ token: alice.token, org: alice.org });
    asBob = api.as({ token: bob.token, org: bob.org });
    await t.prisma.db.organization.update({ where: { id: alice.org }, data: { timezone: 'Europe/Paris' } });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const rowsFor = (email: string) => t.prisma.db.senderAccount.findMany({ where: { email } });

  it("connects a SANDBOX mailbox with the defaults and the organization's time zone", async () => {
    const { connectSenderAccount: a } = await asAlice.ok(CONNECT, {
      i: { provider: 'SANDBOX', email: '  Sales@Example.com ', displayName: 'Sales' },
    });
    expect(a).toMatchObject({
      provider: 'SANDBOX',
      email: 'sales@example.com',
      displayName: 'Sales',
      status: 'ACTIVE',
      dailyCap: 500,
      minGapSeconds: 0,
      timezone: 'Europe/Paris',
      windowStartMinute: null,
      windowEndMinute: null,
      windowDays: [],
      atLeastOnce: false,
      sentToday: 0,
      lastError: null,
    });
  });

  it('connects an SMTP mailbox after verifying it; the credentials are encrypted and never in the API', async () => {
    const { connectSenderAccount: a } = await asAlice.ok(CONNECT, {
      i: {
        provider: 'SMTP',
        email: 'ops@example.com',
        dailyCap: 200,
        minGapSeconds: 30,
        timezone: 'America/New_York',
        windowStartMinute: 540,
        windowEndMinute: 1020,
        windowDays: [5, 1, 2],
        atLeastOnce: true,
        smtp: smtpSettings(),
      },
    });
    expect(a).toMatchObject({
      provider: 'SMTP',
      status: 'ACTIVE',
      dailyCap: 200,
      minGapSeconds: 30,
      timezone: 'America/New_York',
      windowStartMinute: 540,
      windowEndMinute: 1020,
      windowDays: [1, 2, 5],
      atLeastOnce: true,
    });

    const row = await t.prisma.db.senderAccount.findUniqueOrThrow({ where: { id: a.id } });
    expect(row.encryptedCredentials).toMatch(/^v1:/);
    expect(row.encryptedCredentials).not.toContain(smtpLogin.password);
    expect(row.encryptedCredentials).not.toContain(smtpLogin.username);
    expect(JSON.stringify(row)).not.toContain(smtpLogin.password);

    const listed = JSON.stringify(await asAlice.request(LIST));
    expect(listed).not.toContain(smtpLogin.password);
    const { __type } = await asAlice.ok(`{ __type(name: "SenderAccount") { fields { name } } }`);
    const names = __type.fields.map((f: { name: string }) => f.name).join(' ');
    expect(names).not.toMatch(/credential|password|username|smtp/i);

    const mailbox = await t.app.get(SenderAccountsService).loadMailbox(alice.org, a.id);
    expect(mailbox).toMatchObject({
      id: a.id,
      organizationId: alice.org,
      email: 'ops@example.com',
      provider: 'SMTP',
      status: 'ACTIVE',
      dailyCap: 200,
      minGapSeconds: 30,
      atLeastOnce: true,
      credentials: { host: smtp.host, port: smtp.port, secure: false, ...smtpLogin, pool: true },
    });
    // the delivery pipeline sends with what it loaded
    const adapter = t.app.get(ProviderRegistry).get(mailbox.provider);
    const raw = Buffer.from(
      'From: ops@example.com\r\nTo: x@example.com\r\nSubject: hi\r\nMessage-ID: <e2e-1@test>\r\n\r\nhi\r\n',
    );
    await adapter.send(mailbox, {
      messageId: '<e2e-1@test>',
      from: mailbox.email,
      to: 'x@example.com',
      subject: 'hi',
      raw,
    });
    expect(smtp.messages.at(-1)).toMatchObject({
      from: 'ops@example.com',
      to: ['x@example.com'],
      user: 'alice-login',
    });
  });

  it('refuses SMTP credentials the server rejects, naming the smtp field, and stores nothing', async () => {
    const wrong = await asAlice.error(CONNECT, {
      i: { provider: 'SMTP', email: 'wrong@example.com', smtp: smtpSettings({ password: 'nope' }) },
    });
    expect(wrong.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'smtp' });
    expect(wrong.message).toBe(
      `The mailbox could not be verified: the SMTP server at ${smtp.host}:${smtp.port} refused the username or password`,
    );
    const closed = await asAlice.error(CONNECT, {
      i: { provider: 'SMTP', email: 'wrong@example.com', smtp: smtpSettings({ port: await freePort() }) },
    });
    expect(closed.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'smtp' });
    expect(closed.message).toMatch(/could not be reached/);
    expect(await rowsFor('wrong@example.com')).toHaveLength(0);
  });

  it('validates the input', async () => {
    const cases: [Record<string, unknown>, string, RegExp?][] = [
      [{ provider: 'SMTP', email: 'a@example.com' }, 'smtp'],
      [{ provider: 'SANDBOX', email: 'a@example.com', smtp: smtpSettings() }, 'smtp'],
      [{ provider: 'GMAIL', email: 'a@example.com' }, 'provider', /not configured.*GOOGLE_CLIENT_ID/],
      [{ provider: 'MICROSOFT', email: 'a@example.com' }, 'provider', /not configured.*MICROSOFT_CLIENT_ID/],
      [{ provider: 'SANDBOX', email: 'not-an-address' }, 'email'],
      [{ provider: 'SANDBOX', email: 'a@example.com', dailyCap: 0 }, 'dailyCap'],
      [{ provider: 'SANDBOX', email: 'a@example.com', dailyCap: 100001 }, 'dailyCap'],
      [{ provider: 'SANDBOX', email: 'a@example.com', minGapSeconds: 3601 }, 'minGapSeconds'],
      [{ provider: 'SANDBOX', email: 'a@example.com', timezone: 'Mars/Olympus' }, 'timezone'],
      [{ provider: 'SANDBOX', email: 'a@example.com', windowDays: [0] }, 'windowDays'],
      [{ provider: 'SANDBOX', email: 'a@example.com', windowDays: [1, 1] }, 'windowDays'],
      [{ provider: 'SANDBOX', email: 'a@example.com', windowStartMinute: 600 }, 'windowEndMinute'],
      [
        { provider: 'SANDBOX', email: 'a@example.com', windowStartMinute: 600, windowEndMinute: 600 },
        'windowEndMinute',
      ],
      [
        { provider: 'SANDBOX', email: 'a@example.com', windowEndMinute: 1441, windowStartMinute: 0 },
        'windowEndMinute',
      ],
      [{ provider: 'SMTP', email: 'a@example.com', smtp: smtpSettings({ port: 0 }) }, 'smtp.port'],
    ];
    for (const [i, field, message] of cases) {
      const e = await asAlice.error(CONNECT, { i });
      expect({ input: i, ...e.extensions }).toMatchObject({ input: i, code: 'BAD_USER_INPUT', field });
      if (message) expect(e.message).toMatch(message);
    }
    expect(await rowsFor('a@example.com')).toHaveLength(0);
  });

  it('refuses a second mailbox with the same address and provider (CONFLICT on email)', async () => {
    const e = await asAlice.error(CONNECT, { i: { provider: 'SANDBOX', email: 'sales@example.com' } });
    expect(e.extensions).toMatchObject({ code: 'CONFLICT', field: 'email' });
    // another organization may connect the same address
    await asBob.ok(CONNECT, { i: { provider: 'SANDBOX', email: 'sales@example.com' } });
  });

  it("counts today's sends in the mailbox's own time zone", async () => {
    const { senderAccounts } = await asAlice.ok(LIST);
    const ops = senderAccounts.find((a: { email: string }) => a.email === 'ops@example.com');
    const today = usageDay('America/New_York');
    await t.prisma.db.senderDailyUsage.createMany({
      data: [
        { senderAccountId: ops.id, day: today, sent: 7 },
        { senderAccountId: ops.id, day: new Date(today.getTime() - 86400000), sent: 99 },
      ],
    });
    const again = (await asAlice.ok(LIST)).senderAccounts;
    expect(again.find((a: { id: string }) => a.id === ops.id).sentToday).toBe(7);
    expect(again.map((a: { email: string }) => a.email)).toEqual(['sales@example.com', 'ops@example.com']);
  });

  it('needs ADMIN to connect or disconnect; a MEMBER may list', async () => {
    const member = await signUpWithOrg(api, 'member');
    await t.prisma.db.membership.create({
      data: { userId: member.userId, organizationId: alice.org, role: 'MEMBER' },
    });
    const asMember = api.as({ token: member.token, org: alice.org });
    const e = await asMember.error(CONNECT, { i: { provider: 'SANDBOX', email: 'member@example.com' } });
    expect(e.extensions?.code).toBe('FORBIDDEN');
    expect(await rowsFor('member@example.com')).toHaveLength(0);
    const { senderAccounts } = await asMember.ok(LIST);
    expect(senderAccounts.length).toBeGreaterThanOrEqual(2);
    const d = await asMember.error(DISCONNECT, { id: senderAccounts[0].id });
    expect(d.extensions?.code).toBe('FORBIDDEN');
  });

  it('keeps organizations apart: another one sees none of them and cannot disconnect them', async () => {
    const mine = (await asAlice.ok(LIST)).senderAccounts as { id: string; email: string }[];
    const theirs = (await asBob.ok(LIST)).senderAccounts as { id: string }[];
    expect(theirs.map((a) => a.id)).not.toEqual(expect.arrayContaining(mine.map((a) => a.id)));
    expect(theirs.some((a) => mine.some((m) => m.id === a.id))).toBe(false);
    for (const target of mine) {
      const e = await asBob.error(DISCONNECT, { id: target.id });
      expect(['NOT_FOUND', 'FORBIDDEN']).toContain(e.extensions?.code);
    }
    const intruder = api.as({ token: bob.token, org: alice.org });
    expect((await intruder.error(DISCONNECT, { id: mine[0].id })).extensions?.code).toBe('FORBIDDEN');
    expect((await asBob.error(DISCONNECT, { id: 'not-a-uuid' })).extensions?.code).toBe('NOT_FOUND');
    const after = await t.prisma.db.senderAccount.findMany({ where: { organizationId: alice.org } });
    expect(after.every((a) => a.status === 'ACTIVE')).toBe(true);
    const service = t.app.get(SenderAccountsService);
    expect(await service.markDisconnected(bob.org, mine[0].id, 'not yours')).toBe(false);
    await expect(service.loadMailbox(bob.org, mine[0].id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('disconnects a mailbox: no credentials kept, pool closed; the same address can be connected again', async () => {
    const [ops] = await rowsFor('ops@example.com');
    const adapter = t.app.get(SmtpProvider);
    const close = adapter.close.bind(adapter);
    const closed: (string | undefined)[] = [];
    adapter.close = (id?: string) => (closed.push(id), close(id));
    const { disconnectSenderAccount } = await asAlice.ok(DISCONNECT, { id: ops.id });
    expect(closed).toEqual([ops.id]);
    expect(disconnectSenderAccount).toEqual({ id: ops.id, status: 'DISCONNECTED' });
    const row = await t.prisma.db.senderAccount.findUniqueOrThrow({ where: { id: ops.id } });
    expect(row).toMatchObject({ status: 'DISCONNECTED', encryptedCredentials: null });

    const { connectSenderAccount } = await asAlice.ok(CONNECT, {
      i: { provider: 'SMTP', email: 'ops@example.com', smtp: smtpSettings() },
    });
    expect(connectSenderAccount).toMatchObject({
      id: ops.id,
      status: 'ACTIVE',
      dailyCap: 500,
      lastError: null,
    });

    const service = t.app.get(SenderAccountsService);
    expect(await service.markDisconnected(alice.org, ops.id, '535 5.7.8 Authentication failed')).toBe(true);
    const { senderAccounts } = await asAlice.ok(LIST);
    expect(senderAccounts.find((a: { id: string }) => a.id === ops.id)).toMatchObject({
      status: 'DISCONNECTED',
      lastError: '535 5.7.8 Authentication failed',
    });
  });

  describe('SANDBOX provider and inbox page', () => {
    let mailboxId: string;
    const compose = (to: string, subject: string, messageId: string) =>
      new MailComposer({
        from: 'Sales <sales@example.com>',
        to,
        subject,
        messageId,
        text: 'Plain <text> part',
        html: '<p>Hello <b>there</b></p><script>parent.hacked = 1</script>',
        attachments: [{ filename: 'price-list.csv', content: 'a,b\n1,2\n' }],
      })
        .compile()
        .build();

    beforeAll(async () => {
      [{ id: mailboxId }] = await rowsFor('sales@example.com').then((r) =>
        r.filter((a) => a.organizationId === alice.org),
      );
    });

    it('stores a message once per Message-ID and finds it again', async () => {
      const mailbox = await t.app.get(SenderAccountsService).loadMailbox(alice.org, mailboxId);
      const sandbox = t.app.get(ProviderRegistry).get('SANDBOX');
      expect(sandbox.canReconcile).toBe(true);
      await expect(sandbox.verify(mailbox)).resolves.toBeUndefined();
      const raw = await compose('ada@example.com', 'Hello <Ada>', '<s-1@campaign-engine.test>');
      const message = {
        messageId: '<s-1@campaign-engine.test>',
        from: mailbox.email,
        to: 'ada@example.com',
        subject: 'Hello <Ada>',
        raw,
      };
      expect(await sandbox.findSent(mailbox, message.messageId)).toBeNull();
      const [first, second] = await Promise.all([
        sandbox.send(mailbox, message),
        sandbox.send(mailbox, message),
      ]);
      expect(second).toEqual(first);
      expect(first.providerThreadId).toBeTruthy();
      expect(await sandbox.findSent(mailbox, message.messageId)).toEqual(first);
      const rows = await t.prisma.db.sandboxMessage.findMany({ where: { messageId: message.messageId } });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        organizationId: alice.org,
        fromAddress: 'sales@example.com',
        toAddress: 'ada@example.com',
        subject: 'Hello <Ada>',
      });
      expect(rows[0].raw).toContain('Message-ID: <s-1@campaign-engine.test>');

      const followUp = await sandbox.send(mailbox, {
        ...message,
        messageId: '<s-2@campaign-engine.test>',
        raw: await compose('ada@example.com', 'Re: Hello', '<s-2@campaign-engine.test>'),
        threadId: first.providerThreadId,
      });
      expect(followUp.providerThreadId).toBe(first.providerThreadId);
    });

    it('shows the inbox to the key holder only, newest first, with everything escaped', async () => {
      const inbox = t.app.get(SandboxInboxService);
      const url = inbox.inboxUrl(alice.org);
      expect(url.startsWith(`${t.url}/sandbox/inbox?org=${alice.org}&key=`)).toBe(true);

      const list = await fetch(url);
      expect(list.status).toBe(200);
      expect(list.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(list.headers.get('referrer-policy')).toBe('no-referrer');
      const page = await list.text();
      expect(page).toContain('Hello &lt;Ada&gt;');
      expect(page).not.toContain('Hello <Ada>');
      expect(page.indexOf('Re: Hello')).toBeLessThan(page.indexOf('Hello &lt;Ada&gt;'));

      const [row] = await t.prisma.db.sandboxMessage.findMany({
        where: { messageId: '<s-1@campaign-engine.test>' },
      });
      const detail = await fetch(url.replace('/sandbox/inbox?', `/sandbox/inbox/${row.id}?`));
      expect(detail.status).toBe(200);
      const html = await detail.text();
      expect(html).toMatch(/<iframe[^>]+sandbox="allow-popups allow-popups-to-escape-sandbox"/);
      expect(html).toContain('srcdoc="&lt;base target=&quot;_blank&quot;&gt;&lt;p&gt;Hello &lt;b&gt;there');
      expect(html).not.toMatch(/<script>parent/);
      expect(html).toContain('Plain &lt;text&gt; part');
      expect(html).toContain('price-list.csv');
      expect(html).toContain('&lt;s-1@campaign-engine.test&gt;');
      const raw = await fetch(url.replace('/sandbox/inbox?', `/sandbox/inbox/${row.id}/raw?`));
      expect(raw.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await raw.text()).toBe(row.raw);

      const filtered = await (await fetch(`${url}&to=nobody@example.com`)).text();
      expect(filtered).toContain('No messages yet.');

      // Bob's key does not open Alice's inbox, nor does a missing or forged key.
      const bobKey = new URL(inbox.inboxUrl(bob.org)).searchParams.get('key')!;
      for (const forged of [
        `${t.url}/sandbox/inbox?org=${alice.org}&key=${bobKey}`,
        `${t.url}/sandbox/inbox?org=${alice.org}`,
        `${t.url}/sandbox/inbox/${row.id}?org=${alice.org}&key=x`,
      ]) {
        expect((await fetch(forged)).status).toBe(403);
      }
      // Bob's own inbox cannot show Alice's message.
      const bobUrl = inbox.inboxUrl(bob.org);
      expect((await fetch(bobUrl.replace('/sandbox/inbox?', `/sandbox/inbox/${row.id}?`))).status).toBe(404);
      expect(await (await fetch(bobUrl)).text()).not.toContain('Hello');
    });

    it('gives the inbox link over GraphQL', async () => {
      const { sandboxInboxUrl } = await asAlice.ok(`{ sandboxInboxUrl }`);
      expect(sandboxInboxUrl).toBe(t.app.get(SandboxInboxService).inboxUrl(alice.org));
    });
  });
});
