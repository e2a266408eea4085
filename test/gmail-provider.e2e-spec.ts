import { CredentialsCipher } from '../src/common/crypto/credentials-cipher.js';
import { GmailProvider } from '../src/providers/gmail/gmail.provider.js';
import { GoogleOAuthClient } from '../src/providers/gmail/google-oauth.client.js';
import {
  MailboxAuthError,
  MailboxQuotaError,
  PermanentMailError,
  TransientMailError,
  UnknownOutcomeMailError,
} from '../src/providers/mail-errors.js';
import type { MailboxContext } from '../src/providers/mail-provider.port.js';
import { OAuthTokenStore } from '../src/providers/oauth/oauth-token.store.js';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { gmailError, startFakeGoogle, type FakeGoogle } from './support/fake-google.js';
import { autoReply, bounce, reply } from './support/inbound-mail.js';
import { outgoing } from './support/mime.js';
import { createOrganization, storeMailbox, storedCredentials } from './support/oauth-mailboxes.js';
import { fakeProviders } from './support/provider-config.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The real @googleapis/gmail client against the fake Gmail API and token endpoint, with real PostgreSQL. */
describe('Gmail adapter', () => {
  let google: FakeGoogle;
  let t: TestApp;
  let gmail: GmailProvider;
  let org: string;
  let n = 0;

  beforeAll(async () => {
    google = await startFakeGoogle();
    t = await startTestApp(fakeProviders({ google }));
    gmail = t.app.get(GmailProvider);
    org = (await createOrganization(t)).id;
  });
  afterAll(async () => {
    await t.close();
    await google.close();
  });
  beforeEach(() => google.clearFaults());

  /** A fresh Gmail user connected with a refresh token only (no access token yet). */
  async function connected(label = 'sales'): Promise<MailboxContext & { email: string }> {
    const email = `${label}${++n}@example.com`;
    google.addUser(email);
    return storeMailbox(t, org, 'GMAIL', email, { refreshToken: google.issueRefreshToken(email) });
  }
  const sends = (email: string) =>
    google.requests.filter((r) => r.user === email && r.path.endsWith('/messages/send'));

  it('sends the MIME intact with our Message-ID, returns Gmail ids, and threads a follow-up', async () => {
    const mailbox = await connected();
    const first = await outgoing(mailbox.email, 'ada@example.org', { subject: 'Launch plans' });
    const result = await gmail.send(mailbox, first);
    const [stored] = google.mailbox(mailbox.email).sent();
    expect(result).toEqual({ providerMessageId: stored.id, providerThreadId: stored.threadId });
    expect(stored.messageId).toBe(first.messageId);
    expect(stored.raw.equals(first.raw)).toBe(true);
    const text = stored.raw.toString();
    expect(text).toContain('Subject: Launch plans');
    expect(text).toMatch(/Content-Type: text\/plain/);
    expect(text).toMatch(/Content-Type: text\/html/);
    expect(text).toMatch(/filename=price-list\.csv/);
    expect(text).toContain('List-Unsubscribe: <https://engine.test/u/abc>');

    const followUp = await outgoing(mailbox.email, 'ada@example.org', {
      subject: 'Re: Launch plans',
      inReplyTo: first.messageId,
      threadId: result.providerThreadId,
    });
    const second = await gmail.send(mailbox, followUp);
    expect(second.providerThreadId).toBe(result.providerThreadId);
    const sent = JSON.parse(sends(mailbox.email)[1].body.toString());
    expect(sent.threadId).toBe(result.providerThreadId);

    expect(await gmail.findSent(mailbox, followUp.messageId)).toEqual(second);
    expect(await gmail.findSent(mailbox, '<never-sent@campaign-engine.test>')).toBeNull();
    // one refresh for the whole session: the access token is cached until it expires
    expect(google.tokenGrants('refresh_token').filter((r) => r.user === mailbox.email)).toHaveLength(1);
  });

  it('refreshes a token Gmail refuses (401) once, sends, and stores the new token encrypted', async () => {
    const mailbox = await connected();
    await gmail.send(mailbox, await outgoing(mailbox.email, 'ada@example.org'));
    const before = await storedCredentials(t, org, mailbox.id);
    google.expireAccessTokens(mailbox.email);

    await gmail.send(mailbox, await outgoing(mailbox.email, 'grace@example.org'));
    expect(google.mailbox(mailbox.email).sent()).toHaveLength(2);
    expect(google.tokenGrants('refresh_token').filter((r) => r.user === mailbox.email)).toHaveLength(2);
    const after = await storedCredentials(t, org, mailbox.id);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).toBe(before.refreshToken);
    const last = google.requests.filter((r) => r.user === mailbox.email).at(-1)!;
    expect(last.headers.authorization).toBe(`Bearer ${String(after.accessToken)}`);
    const row = await t.prisma.db.senderAccount.findUniqueOrThrow({ where: { id: mailbox.id } });
    expect(row.encryptedCredentials).not.toContain(String(after.accessToken));
  });

  it('turns 429 with Retry-After into TransientMailError with retryAfterMs; nothing is sent', async () => {
    const mailbox = await connected();
    google.inject({
      method: 'POST',
      path: /messages\/send$/,
      status: 429,
      headers: { 'retry-after': '7' },
      json: gmailError(429, 'rateLimitExceeded', 'Rate Limit Exceeded'),
    });
    const sent = gmail.send(mailbox, await outgoing(mailbox.email, 'ada@example.org'));
    await expect(sent).rejects.toBeInstanceOf(TransientMailError);
    await expect(sent).rejects.toMatchObject({ retryAfterMs: 7000 });
    expect(sends(mailbox.email)).toHaveLength(1); // the client did not retry by itself
    expect(google.mailbox(mailbox.email).sent()).toHaveLength(0);
  });

  it('the daily sending limit is a quota error lasting until the time Gmail names; concurrency errors are transient', async () => {
    const mailbox = await connected();
    const until = new Date(Date.now() + 2 * 3600_000);
    google.inject({
      method: 'POST',
      path: /messages\/send$/,
      status: 429,
      json: gmailError(
        429,
        'userRateLimitExceeded',
        `User-rate limit exceeded.  Retry after ${until.toISOString()} (Mail sending)`,
      ),
    });
    const limited = gmail.send(mailbox, await outgoing(mailbox.email, 'ada@example.org'));
    await expect(limited).rejects.toBeInstanceOf(MailboxQuotaError);
    const wait = ((await limited.catch((e: unknown) => e)) as MailboxQuotaError).retryAfterMs!;
    expect(wait).toBeLessThanOrEqual(2 * 3600_000);
    expect(wait).toBeGreaterThan(2 * 3600_000 - 60_000);

    google.inject({
      method: 'GET',
      path: /\/messages$/,
      status: 403,
      json: gmailError(403, 'rateLimitExceeded', 'Too many concurrent requests for user'),
    });
    await expect(gmail.findSent(mailbox, '<x@campaign-engine.test>')).rejects.toBeInstanceOf(
      TransientMailError,
    );
    expect(google.mailbox(mailbox.email).sent()).toHaveLength(0);
  });

  it('accepted but the answer lost: UnknownOutcomeMailError, and findSent finds it once the index catches up', async () => {
    const mailbox = await connected();
    const message = await outgoing(mailbox.email, 'ada@example.org');
    google.inject({ method: 'POST', path: /messages\/send$/, lose: true });
    google.setIndexLag(3_600_000);
    try {
      await expect(gmail.send(mailbox, message)).rejects.toBeInstanceOf(UnknownOutcomeMailError);
      expect(sends(mailbox.email)).toHaveLength(1);
      expect(await gmail.findSent(mailbox, message.messageId)).toBeNull(); // index lag
      google.flushIndex();
    } finally {
      google.setIndexLag(0);
    }
    const found = await gmail.findSent(mailbox, message.messageId);
    expect(found?.providerMessageId).toBe(google.mailbox(mailbox.email).sent()[0].id);
    expect(gmail.reconcileLagMs).toBeGreaterThan(0);
  });

  it('a 5xx on the send is an unknown outcome; findSent then says it was not sent', async () => {
    const mailbox = await connected();
    const message = await outgoing(mailbox.email, 'ada@example.org');
    google.inject({
      method: 'POST',
      path: /messages\/send$/,
      status: 500,
      json: gmailError(500, 'backendError', 'Backend Error'),
    });
    await expect(gmail.send(mailbox, message)).rejects.toBeInstanceOf(UnknownOutcomeMailError);
    expect(await gmail.findSent(mailbox, message.messageId)).toBeNull();
  });

  it('an invalid recipient is permanent; a revoked grant is MailboxAuthError', async () => {
    const mailbox = await connected();
    const bad = await outgoing(mailbox.email, 'not an address');
    await expect(gmail.send(mailbox, bad)).rejects.toBeInstanceOf(PermanentMailError);
    google.revoke(mailbox.email);
    const sent = gmail.send(mailbox, await outgoing(mailbox.email, 'ada@example.org'));
    await expect(sent).rejects.toBeInstanceOf(MailboxAuthError);
    await expect(sent).rejects.toThrow(/invalid_grant/);
    expect(google.mailbox(mailbox.email).sent()).toHaveLength(0);
  });

  it('two processes needing a new token at once perform one refresh', async () => {
    const mailbox = await connected();
    // a second "process": its own adapter, token store and OAuth client on the same database
    const config = t.config;
    const other = new GmailProvider(
      config,
      new OAuthTokenStore(t.app.get(PrismaService), t.app.get(CredentialsCipher), config),
      new GoogleOAuthClient(config),
    );
    google.inject({ path: '/token', delayMs: 300 }); // a slow token endpoint widens the race
    const [a, b] = await Promise.all([
      gmail.send(mailbox, await outgoing(mailbox.email, 'ada@example.org')),
      other.send(mailbox, await outgoing(mailbox.email, 'grace@example.org')),
    ]);
    expect(a.providerMessageId).not.toBe(b.providerMessageId);
    expect(google.tokenGrants('refresh_token').filter((r) => r.user === mailbox.email)).toHaveLength(1);
    const tokens = new Set(sends(mailbox.email).map((r) => r.headers.authorization));
    expect(tokens.size).toBe(1);
  });

  it('honours the caller signal and the overall deadline', async () => {
    const mailbox = await connected();
    await gmail.verify(mailbox);
    google.inject({ method: 'POST', path: /messages\/send$/, delayMs: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const sent = gmail.send(mailbox, await outgoing(mailbox.email, 'ada@example.org'), {
      signal: controller.signal,
    });
    await expect(sent).rejects.toBeInstanceOf(UnknownOutcomeMailError);
    expect(Date.now() - started).toBeLessThan(4000);

    const hurried = new GmailProvider(
      { ...t.config, providers: { timeoutMs: 200 } },
      t.app.get(OAuthTokenStore),
      t.app.get(GoogleOAuthClient),
    );
    google.inject({ method: 'GET', path: /\/messages$/, delayMs: 5000 });
    const lookup = hurried.findSent(mailbox, '<x@campaign-engine.test>');
    await expect(lookup).rejects.toBeInstanceOf(TransientMailError);
    await expect(lookup).rejects.toThrow(/in time/);
  });

  it('fetchInbound: starts now, then returns replies, bounces and auto-replies (not our sends) as raw MIME', async () => {
    const mailbox = await connected();
    const old = google.deliver(
      mailbox.email,
      reply('old@example.org', mailbox.email, { messageId: '<x@y>', subject: 'x' }),
    );
    const start = await gmail.fetchInbound(mailbox, null);
    expect(start.messages).toEqual([]);

    const sent = await outgoing(mailbox.email, 'ada@example.org', { subject: 'Pricing' });
    await gmail.send(mailbox, sent);
    const r = google.deliver(mailbox.email, reply('ada@example.org', mailbox.email, sent));
    const b = google.deliver(mailbox.email, bounce(mailbox.email, 'gone@example.org', sent));
    const o = google.deliver(mailbox.email, autoReply('ada@example.org', mailbox.email, sent));

    const first = await gmail.fetchInbound(mailbox, start.cursor, { limit: 2 });
    expect(first.messages.map((m) => m.providerMessageId)).toEqual([r.id, b.id]);
    expect(first.more).toBe(true);
    expect(first.messages[0].raw.equals(r.raw)).toBe(true);
    expect(first.messages[0].providerThreadId).toBe(google.mailbox(mailbox.email).sent()[0].threadId);
    expect(first.messages[1].raw.toString()).toContain('report-type=delivery-status');
    expect(first.messages[0].receivedAt).toBeInstanceOf(Date);

    const second = await gmail.fetchInbound(mailbox, first.cursor, { limit: 2 });
    expect(second.messages.map((m) => m.providerMessageId)).toEqual([o.id]);
    expect(second.messages[0].raw.toString()).toContain('Auto-Submitted: auto-replied');
    expect(second.more).toBeFalsy();
    const third = await gmail.fetchInbound(mailbox, second.cursor);
    expect(third.messages).toEqual([]);
    expect(first.messages.concat(second.messages).map((m) => m.providerMessageId)).not.toContain(old.id);
  });

  it('fetchInbound resyncs from recent messages when Gmail no longer has the history', async () => {
    const mailbox = await connected();
    const { cursor } = await gmail.fetchInbound(mailbox, null);
    const r = google.deliver(
      mailbox.email,
      reply('ada@example.org', mailbox.email, { messageId: '<a@b>', subject: 'Hi' }),
    );
    await gmail.send(mailbox, await outgoing(mailbox.email, 'ada@example.org'));
    google.expireHistory(mailbox.email);

    const resync = await gmail.fetchInbound(mailbox, cursor);
    expect(
      google.requests.some(
        (q) =>
          q.user === mailbox.email && q.path.endsWith('/history') && q.query.get('startHistoryId') === cursor,
      ),
    ).toBe(true);
    expect(resync.messages.map((m) => m.providerMessageId)).toEqual([r.id]);
    expect(resync.cursor).toBe(String(google.mailbox(mailbox.email).historyId));

    const later = google.deliver(
      mailbox.email,
      reply('grace@example.org', mailbox.email, { messageId: '<a@b>', subject: 'Hi' }),
    );
    const next = await gmail.fetchInbound(mailbox, resync.cursor);
    expect(next.messages.map((m) => m.providerMessageId)).toEqual([later.id]);
  });
});
