import net from 'node:net';
import { signUpWithOrg, type Account } from './factories/accounts.js';
import { startFakeSmtp, type FakeSmtp } from './support/fake-smtp.js';
import { GraphQLClient } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CONNECT = `mutation($i: ConnectSenderAccountInput!) { connectSenderAccount(input: $i) { id email } }`;

/** A TCP server on loopback that counts who connects and says `greeting` to them. */
async function listener(greeting?: string) {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    if (greeting) socket.write(greeting);
    socket.on('data', () => socket.write('554 5.7.1 SECRET-REPLY-4711 internal-db.corp refuses you\r\n'));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}

/**
 * Issue 6, point 3: no server-side request forgery through mailbox settings. Before, an SMTP
 * mailbox could point at any address the server reaches (its Redis, the cloud metadata service)
 * and the error answered with what that service said.
 */
describe('mailbox hosts cannot reach internal services', () => {
  let t: TestApp;
  let smtp: FakeSmtp;
  let chatty: Awaited<ReturnType<typeof listener>>;
  let owner: Account;
  let me: GraphQLClient;
  const redisPort = Number(new URL(process.env.TEST_REDIS_URL!).port);

  const smtpInput = (smtpSettings: Record<string, unknown>, email = 'probe@example.com') => ({
    i: {
      provider: 'SMTP',
      email,
      smtp: { secure: false, username: 'mailer', password: 'secret-pass', ...smtpSettings },
    },
  });
  const mailboxCount = () => t.prisma.db.senderAccount.count({ where: { organizationId: owner.org } });

  beforeAll(async () => {
    smtp = await startFakeSmtp({ auth: { username: 'mailer', password: 'secret-pass' } });
    chatty = await listener('220 SECRET-BANNER-1234 ESMTP internal-db.corp ready\r\n');
    // As an operator would: allow exactly the local test servers, not the rest of loopback.
    t = await startTestApp({
      mailboxHostAllowlist: [`${smtp.host}:${smtp.port}`, `127.0.0.1:${chatty.port}`],
    });
    owner = await signUpWithOrg(new GraphQLClient(t.url), 'ssrf');
    me = new GraphQLClient(t.url).as({ token: owner.token, org: owner.org });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
    await chatty.close();
  });

  it("refuses an SMTP mailbox pointed at the test's own Redis, without connecting to it", async () => {
    const before = await mailboxCount();
    const e = await me.error(
      CONNECT,
      smtpInput({ host: '127.0.0.1', port: redisPort, allowInsecureAuth: true }),
    );
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'smtp.host' });
    expect(e.message).toMatch(/smtp\.host must be a public address/);
    expect(e.message).not.toMatch(/ERR|redis|NOAUTH|unknown command/i);
    expect(await mailboxCount()).toBe(before);
  });

  it.each([
    ['the metadata service', '169.254.169.254', 80],
    ['its decimal form', '2852039166', 25],
    ['its hex form', '0xa9fea9fe', 25],
    ['its IPv4-mapped IPv6 form', '::ffff:169.254.169.254', 25],
    ['its bracketed IPv6 form', '[::ffff:a9fe:a9fe]', 25],
    ['loopback by name', 'localhost', 25],
    ['loopback in short form', '127.1', 25],
    ['loopback in octal', '0177.0.0.1', 25],
    ['the unspecified address', '0.0.0.0', 25],
    ['IPv6 loopback', '::1', 25],
    ['a private address', '10.0.0.1', 25],
  ])('refuses %s (%s)', async (_what, host, port) => {
    const e = await me.error(CONNECT, smtpInput({ host, port }));
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'smtp.host' });
    expect(e.message).toMatch(/must be a public address/);
  });

  it('opens no connection to a loopback port that is not allow-listed', async () => {
    const internal = await listener('220 internal ESMTP\r\n');
    try {
      const e = await me.error(CONNECT, smtpInput({ host: '127.0.0.1', port: internal.port }));
      expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'smtp.host' });
      expect(internal.connections).toBe(0);
    } finally {
      await internal.close();
    }
  });

  it('never echoes what a server said when the check fails', async () => {
    const res = await me.request(
      CONNECT,
      smtpInput({ host: '127.0.0.1', port: chatty.port, allowInsecureAuth: true }),
    );
    expect(chatty.connections).toBeGreaterThan(0); // it did talk to the server…
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'smtp' });
    expect(res.errors?.[0].message).toMatch(
      /^The mailbox could not be verified: the SMTP server at 127\.0\.0\.1:/,
    );
    expect(JSON.stringify(res)).not.toMatch(/SECRET|internal-db|554|5\.7\.1/); // …and repeats none of it
  });

  it('refuses to send a password over a connection without TLS unless the mailbox allows it', async () => {
    smtp.reset();
    const before = await mailboxCount();
    const e = await me.error(CONNECT, smtpInput({ host: smtp.host, port: smtp.port }));
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'smtp' });
    expect(e.message).toMatch(/does not offer TLS.*allowInsecureAuth/);
    expect(smtp.logins).toBe(0); // the password never went over the wire
    expect(await mailboxCount()).toBe(before);

    const { connectSenderAccount } = await me.ok(
      CONNECT,
      smtpInput({ host: smtp.host, port: smtp.port, allowInsecureAuth: true }, 'allowed@example.com'),
    );
    expect(connectSenderAccount.email).toBe('allowed@example.com');
    expect(smtp.logins).toBe(1);
  });
});
