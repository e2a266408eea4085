import {
  MailboxAuthError,
  PermanentMailError,
  TransientMailError,
  UnknownOutcomeMailError,
} from '../src/providers/mail-errors.js';
import type { MailboxContext, OutgoingMessage } from '../src/providers/mail-provider.port.js';
import { HostGuard } from '../src/common/net/host-guard.js';
import { MailboxCheckError } from '../src/providers/mailbox-check-error.js';
import { SmtpProvider } from '../src/providers/smtp/smtp.provider.js';
import { startFakeSmtp, type FakeSmtp } from './support/fake-smtp.js';
import { freePort } from './support/ports.js';

/** The real nodemailer SMTP adapter against a real SMTP server on loopback. */
describe('SMTP adapter', () => {
  let smtp: FakeSmtp;
  let provider: SmtpProvider;
  let n = 0;

  const mailbox = (overrides: Record<string, unknown> = {}): MailboxContext => ({
    id: 'mailbox-1',
    organizationId: 'org-1',
    email: 'sender@example.com',
    provider: 'SMTP',
    credentials: {
      host: smtp.host,
      port: smtp.port,
      secure: false,
      username: 'sender',
      password: 'app-password',
      pool: true,
      allowInsecureAuth: true, // the fake server has no TLS
      ...overrides,
    },
  });
  const message = (to: string): OutgoingMessage => {
    const messageId = `<m${++n}-${Date.now()}@campaign-engine.test>`;
    const raw = [
      'From: Sender <sender@example.com>',
      `To: ${to}`,
      'Subject: Hello',
      `Message-ID: ${messageId}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hi there.',
      '',
    ].join('\r\n');
    return { messageId, from: 'sender@example.com', to, subject: 'Hello', raw: Buffer.from(raw) };
  };

  beforeAll(async () => {
    smtp = await startFakeSmtp({ auth: { username: 'sender', password: 'app-password' } });
  });
  beforeEach(() => {
    smtp.reset();
    smtp.setAuth({ username: 'sender', password: 'app-password' });
    provider = new SmtpProvider(new HostGuard([`${smtp.host}:${smtp.port}`]));
  });
  afterEach(() => provider.close());
  afterAll(() => smtp.close());

  it('sends over a pooled connection and returns the server queue id', async () => {
    const first = message('ada@example.com');
    const result = await provider.send(mailbox(), first);
    expect(result.providerMessageId).toBeTruthy();
    expect(result.providerMessageId).not.toBe(first.messageId);
    await provider.send(mailbox(), message('grace@example.com'));
    expect(smtp.messages.map((m) => m.to)).toEqual([['ada@example.com'], ['grace@example.com']]);
    expect(smtp.messages[0]).toMatchObject({
      from: 'sender@example.com',
      messageId: first.messageId,
      user: 'sender',
      unanswered: false,
    });
    expect(smtp.messages[0].raw).toContain('Hi there.');
    expect(provider.canReconcile).toBe(false);
    expect(await provider.findSent()).toBeNull();
  });

  it("verifies credentials, and reports a refused login in the engine's words, not the server's", async () => {
    await expect(provider.verify(mailbox())).resolves.toBeUndefined();
    const refused = await provider.verify(mailbox({ password: 'wrong' })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MailboxCheckError);
    expect(refused).toMatchObject({ kind: 'auth', field: 'smtp' });
    expect((refused as Error).message).toBe(
      `the SMTP server at ${smtp.host}:${smtp.port} refused the username or password`,
    );
  });

  it('refuses to send a password over a connection without TLS unless the mailbox allows it', async () => {
    const plain = await provider.verify(mailbox({ allowInsecureAuth: false })).catch((e: unknown) => e);
    expect(plain).toMatchObject({ kind: 'auth', message: expect.stringMatching(/does not offer TLS/) });
    const sent = provider.send(mailbox({ allowInsecureAuth: false }), message('ada@example.com'));
    await expect(sent).rejects.toBeInstanceOf(MailboxAuthError);
    expect(smtp.messages).toHaveLength(0);
  });

  it('connects to the address it checked, without resolving the name again', async () => {
    const answers = [smtp.host, '169.254.169.254']; // a second answer would point at the metadata service
    let lookups = 0;
    const guard = new HostGuard(['mail.rebind.test'], async () => [
      { address: answers[lookups++], family: 4 },
    ]);
    const pinned = new SmtpProvider(guard);
    try {
      await pinned.send(mailbox({ host: 'mail.rebind.test' }), message('ada@example.com'));
      await pinned.send(mailbox({ host: 'mail.rebind.test' }), message('grace@example.com'));
    } finally {
      await pinned.close();
    }
    expect(lookups).toBe(1);
    expect(smtp.messages.map((m) => m.to)).toEqual([['ada@example.com'], ['grace@example.com']]);
  });

  it('refuses a mailbox whose host is not allow-listed, before connecting', async () => {
    const other = await freePort();
    const refused = await provider.verify(mailbox({ port: other })).catch((e: unknown) => e);
    expect(refused).toMatchObject({ kind: 'permanent', field: 'smtp.host' });
    await expect(provider.send(mailbox({ port: other }), message('ada@example.com'))).rejects.toBeInstanceOf(
      MailboxAuthError,
    );
  });

  it('turns a 550 for the recipient into PermanentMailError with the server reply', async () => {
    smtp.setRule('gone@example.com', { reject: 'permanent' });
    const sent = provider.send(mailbox(), message('gone@example.com'));
    await expect(sent).rejects.toBeInstanceOf(PermanentMailError);
    await expect(sent).rejects.toThrow('550 5.1.1 user unknown');
    // the pooled connection is still usable afterwards
    await provider.send(mailbox(), message('ada@example.com'));
    expect(smtp.messages).toHaveLength(1);
  });

  it('turns a 451 into TransientMailError, and the retry goes through', async () => {
    smtp.setRule('busy@example.com', { reject: 'transient', times: 1 });
    await expect(provider.send(mailbox(), message('busy@example.com'))).rejects.toBeInstanceOf(
      TransientMailError,
    );
    await provider.send(mailbox(), message('busy@example.com'));
    expect(smtp.attempts('busy@example.com')).toBe(2);
    expect(smtp.messages).toHaveLength(1);
  });

  it('turns revoked credentials into MailboxAuthError when sending', async () => {
    smtp.setAuth({ username: 'sender', password: 'rotated' });
    await expect(provider.send(mailbox(), message('ada@example.com'))).rejects.toBeInstanceOf(
      MailboxAuthError,
    );
    expect(smtp.messages).toHaveLength(0);
  });

  it('reports a connection lost after DATA as an unknown outcome, and never sends it twice', async () => {
    smtp.setRule('lost@example.com', { dropAfterData: true });
    const sent = provider.send(mailbox(), message('lost@example.com'));
    await expect(sent).rejects.toBeInstanceOf(UnknownOutcomeMailError);
    await new Promise((r) => setTimeout(r, 300)); // a requeue by the pool would arrive by now
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0].unanswered).toBe(true);
  });

  it('treats a refused connection as transient', async () => {
    const port = await freePort();
    const anyLoopbackPort = new SmtpProvider(new HostGuard([smtp.host]));
    const sent = anyLoopbackPort.send(mailbox({ port }), message('ada@example.com'));
    await expect(sent).rejects.toBeInstanceOf(TransientMailError);
    await anyLoopbackPort.close();
  });

  it('waits for a slow server, and opens a fresh pool after close(id)', async () => {
    smtp.setRule('slow@example.com', { delayMs: 300 });
    const started = Date.now();
    await provider.send(mailbox(), message('slow@example.com'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await provider.close('mailbox-1');
    await provider.send(mailbox({ pool: false }), message('ada@example.com'));
    expect(smtp.messages).toHaveLength(2);
  });
});
