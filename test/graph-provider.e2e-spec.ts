import { CredentialsCipher } from '../src/common/crypto/credentials-cipher.js';
import { GraphProvider, MESSAGE_ID_PROPERTY } from '../src/providers/graph/graph.provider.js';
import { MicrosoftOAuthClient } from '../src/providers/graph/microsoft-oauth.client.js';
import {
  MailboxAuthError,
  PermanentMailError,
  TransientMailError,
  UnknownOutcomeMailError,
} from '../src/providers/mail-errors.js';
import type { MailboxContext } from '../src/providers/mail-provider.port.js';
import { OAuthTokenStore } from '../src/providers/oauth/oauth-token.store.js';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { graphError, startFakeMicrosoft, type FakeMicrosoft } from './support/fake-microsoft.js';
import { autoReply, bounce, reply } from './support/inbound-mail.js';
import { outgoing } from './support/mime.js';
import { createOrganization, storeMailbox, storedCredentials } from './support/oauth-mailboxes.js';
import { fakeProviders } from './support/provider-config.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The real Microsoft Graph client against the fake Graph and identity platform, with real PostgreSQL. */
describe('Microsoft Graph adapter', () => {
  let ms: FakeMicrosoft;
  let t: TestApp;
  let graph: GraphProvider;
  let org: string;
  let n = 0;

  beforeAll(async () => {
    ms = await startFakeMicrosoft();
    t = await startTestApp(fakeProviders({ microsoft: ms }));
    graph = t.app.get(GraphProvider);
    org = (await createOrganization(t)).id;
  });
  afterAll(async () => {
    await t.close();
    await ms.close();
  });
  beforeEach(() => ms.clearFaults());

  async function connected(): Promise<MailboxContext & { email: string }> {
    const email = `bob${++n}@contoso.example`;
    ms.addUser(email);
    return storeMailbox(t, org, 'MICROSOFT', email, { refreshToken: ms.issueRefreshToken(email) });
  }
  const calls = (email: string, method: string, path: RegExp) =>
    ms.requests.filter((r) => r.user === email && r.method === method && path.test(r.path));

  it('creates a draft from our MIME, stamps our Message-ID, sends it once, and finds it in Sent Items', async () => {
    const mailbox = await connected();
    const message = await outgoing(mailbox.email, 'ada@example.org', { subject: 'Quarterly review' });
    const result = await graph.send(mailbox, message);
    const [sent] = ms.mailbox(mailbox.email).sent();
    expect(result).toEqual({ providerMessageId: sent.id, providerThreadId: sent.conversationId });
    expect(sent.raw.equals(message.raw)).toBe(true);
    expect(sent.raw.toString()).toContain('List-Unsubscribe: <https://engine.test/u/abc>');
    expect(sent.raw.toString()).toMatch(/filename=price-list\.csv/);
    expect(sent.extended[MESSAGE_ID_PROPERTY.toLowerCase()]).toBe(message.messageId);
    expect(sent.internetMessageId).not.toBe(message.messageId); // Exchange assigned its own
    expect(calls(mailbox.email, 'POST', /\/send$/)).toHaveLength(1);
    const create = calls(mailbox.email, 'POST', /\/me\/messages$/)[0];
    expect(create.headers['content-type']).toMatch(/^text\/plain/);
    expect(create.headers.prefer).toContain('ImmutableId');

    expect(await graph.findSent(mailbox, message.messageId)).toEqual(result);
    expect(await graph.findSent(mailbox, '<never@campaign-engine.test>')).toBeNull();

    const followUp = await outgoing(mailbox.email, 'ada@example.org', {
      subject: 'Re: Quarterly review',
      inReplyTo: message.messageId,
    });
    ms.setKeepsMessageId(true);
    try {
      const second = await graph.send(mailbox, followUp);
      expect(second.providerThreadId).toBe(ms.mailbox(mailbox.email).sent()[1].conversationId);
    } finally {
      ms.setKeepsMessageId(false);
    }
  });

  it('stores the rotated refresh token every time, so the next refresh still works', async () => {
    const mailbox = await connected();
    const original = mailbox.credentials.refreshToken;
    await graph.send(mailbox, await outgoing(mailbox.email, 'ada@example.org'));
    const first = await storedCredentials(t, org, mailbox.id);
    expect(first.refreshToken).not.toBe(original);

    ms.expireAccessTokens(mailbox.email); // the next call gets 401 and must refresh with the rotated token
    await graph.send(mailbox, await outgoing(mailbox.email, 'grace@example.org'));
    const second = await storedCredentials(t, org, mailbox.id);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(ms.tokenGrants('refresh_token').filter((r) => r.user === mailbox.email)).toHaveLength(2);
    expect(ms.mailbox(mailbox.email).sent()).toHaveLength(2);
  });

  it('never lets the client retry the send: 503 is an unknown outcome after one request; 429 is transient', async () => {
    const mailbox = await connected();
    ms.inject({
      method: 'POST',
      path: /\/send$/,
      status: 503,
      headers: { 'retry-after': '1' },
      json: graphError('ServiceUnavailable', 'busy'),
    });
    await expect(
      graph.send(mailbox, await outgoing(mailbox.email, 'ada@example.org')),
    ).rejects.toBeInstanceOf(UnknownOutcomeMailError);
    expect(calls(mailbox.email, 'POST', /\/send$/)).toHaveLength(1);

    ms.inject({
      method: 'POST',
      path: /\/send$/,
      status: 429,
      headers: { 'retry-after': '9' },
      json: graphError('TooManyRequests', 'slow down'),
    });
    const throttled = graph.send(mailbox, await outgoing(mailbox.email, 'ada@example.org'));
    await expect(throttled).rejects.toBeInstanceOf(TransientMailError);
    await expect(throttled).rejects.toMatchObject({ retryAfterMs: 9000 });
    expect(calls(mailbox.email, 'POST', /\/send$/)).toHaveLength(2);
    // the refused draft was removed; the 503 one is kept (it may have gone out)
    expect(ms.mailbox(mailbox.email).drafts()).toHaveLength(1);

    // a lookup with a short Retry-After is retried by the client
    ms.inject({
      method: 'GET',
      path: /sentitems/i,
      status: 503,
      headers: { 'retry-after': '1' },
      json: graphError('ServiceUnavailable', 'busy'),
    });
    expect(await graph.findSent(mailbox, '<none@campaign-engine.test>')).toBeNull();
    expect(calls(mailbox.email, 'GET', /sentitems/i).length).toBeGreaterThanOrEqual(3);
  });

  it('accepted but the answer lost: unknown outcome, then findSent finds it once Sent Items shows it', async () => {
    const mailbox = await connected();
    const message = await outgoing(mailbox.email, 'ada@example.org');
    ms.inject({ method: 'POST', path: /\/send$/, lose: true });
    ms.setSentItemsLag(3_600_000);
    try {
      await expect(graph.send(mailbox, message)).rejects.toBeInstanceOf(UnknownOutcomeMailError);
      expect(await graph.findSent(mailbox, message.messageId)).toBeNull();
      ms.flushSentItems();
    } finally {
      ms.setSentItemsLag(0);
    }
    expect((await graph.findSent(mailbox, message.messageId))?.providerMessageId).toBe(
      ms.mailbox(mailbox.email).sent()[0].id,
    );
  });

  it('an invalid recipient is permanent (draft removed); invalid_grant is MailboxAuthError', async () => {
    const mailbox = await connected();
    await expect(graph.send(mailbox, await outgoing(mailbox.email, 'nobody'))).rejects.toBeInstanceOf(
      PermanentMailError,
    );
    expect(ms.mailbox(mailbox.email).messages).toHaveLength(0);
    ms.revoke(mailbox.email);
    const sent = graph.send(mailbox, await outgoing(mailbox.email, 'ada@example.org'));
    await expect(sent).rejects.toBeInstanceOf(MailboxAuthError);
    await expect(sent).rejects.toThrow(/invalid_grant/);
  });

  it('keeps at most 4 requests of one mailbox in flight', async () => {
    const mailbox = await connected();
    await graph.verify(mailbox);
    ms.inject({ user: mailbox.email, delayMs: 150, times: 40 });
    const messages = await Promise.all(
      Array.from({ length: 8 }, (_, i) => outgoing(mailbox.email, `r${i}@example.org`)),
    );
    await Promise.all(messages.map((m) => graph.send(mailbox, m)));
    expect(ms.mailbox(mailbox.email).sent()).toHaveLength(8);
    expect(ms.maxConcurrent(mailbox.email)).toBe(4);
  });

  it('two processes needing a new token at once perform one refresh', async () => {
    const mailbox = await connected();
    const other = new GraphProvider(
      t.config,
      new OAuthTokenStore(t.app.get(PrismaService), t.app.get(CredentialsCipher), t.config),
      new MicrosoftOAuthClient(t.config),
    );
    ms.inject({ path: /\/token$/, delayMs: 300 });
    await Promise.all([
      graph.send(mailbox, await outgoing(mailbox.email, 'ada@example.org')),
      other.send(mailbox, await outgoing(mailbox.email, 'grace@example.org')),
    ]);
    expect(ms.tokenGrants('refresh_token').filter((r) => r.user === mailbox.email)).toHaveLength(1);
    expect(ms.mailbox(mailbox.email).sent()).toHaveLength(2);
  });

  it('fetchInbound: starts now, pages through inbox delta, returns replies, NDRs and auto-replies as MIME', async () => {
    const mailbox = await connected();
    ms.deliver(
      mailbox.email,
      reply('old@example.org', mailbox.email, { messageId: '<o@x>', subject: 'old' }),
    );
    const start = await graph.fetchInbound(mailbox, null);
    expect(start.messages).toEqual([]);

    const original = await outgoing(mailbox.email, 'ada@example.org', { subject: 'Pricing' });
    await graph.send(mailbox, original);
    const r = ms.deliver(mailbox.email, reply('ada@example.org', mailbox.email, original));
    const ndr = ms.deliver(
      mailbox.email,
      bounce(mailbox.email, 'gone@example.org', original, {
        daemon: 'postmaster@contoso.example',
        subjectPrefix: 'Undeliverable: Pricing',
      }),
      { ndr: true },
    );
    const ooo = ms.deliver(mailbox.email, autoReply('ada@example.org', mailbox.email, original));

    const first = await graph.fetchInbound(mailbox, start.cursor, { limit: 2 });
    expect(first.messages.map((m) => m.providerMessageId)).toEqual([r.id, ndr.id]);
    expect(first.more).toBe(true);
    expect(first.messages[0].raw.equals(r.raw)).toBe(true);
    expect(first.messages[1].raw.toString()).toContain('Subject: Undeliverable: Pricing');
    const second = await graph.fetchInbound(mailbox, first.cursor, { limit: 2 });
    expect(second.messages.map((m) => m.providerMessageId)).toEqual([ooo.id]);
    expect(second.more).toBe(false);
    expect((await graph.fetchInbound(mailbox, second.cursor)).messages).toEqual([]);
  });

  it('fetchInbound restarts the delta on 410 Gone', async () => {
    const mailbox = await connected();
    const { cursor } = await graph.fetchInbound(mailbox, null);
    const r = ms.deliver(
      mailbox.email,
      reply('ada@example.org', mailbox.email, { messageId: '<a@b>', subject: 'Hi' }),
    );
    ms.expireDelta(mailbox.email);
    const restarted = await graph.fetchInbound(mailbox, cursor);
    expect(
      ms.requests.some(
        (q) => q.user === mailbox.email && q.path.endsWith('/delta') && q.query.get('$deltatoken'),
      ),
    ).toBe(true);
    expect(restarted.messages.map((m) => m.providerMessageId)).toEqual([r.id]);
    const later = ms.deliver(
      mailbox.email,
      reply('grace@example.org', mailbox.email, { messageId: '<a@b>', subject: 'Hi' }),
    );
    expect(
      (await graph.fetchInbound(mailbox, restarted.cursor)).messages.map((m) => m.providerMessageId),
    ).toEqual([later.id]);
  });
});
