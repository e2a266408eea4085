import { simpleParser, type ParsedMail } from 'mailparser';
import { signUpWithOrg } from './factories/accounts.js';
import { CREATE_CAMPAIGN, listWithContacts, waitFor } from './factories/campaigns.js';
import { gmailError, startFakeGoogle, type FakeGoogle } from './support/fake-google.js';
import { headerOf, jsonBody, type FakeRequest } from './support/fake-http.js';
import { graphError, startFakeMicrosoft, type FakeMicrosoft } from './support/fake-microsoft.js';
import { GraphQLClient } from './support/graphql-client.js';
import { fakeProviders } from './support/provider-config.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Issue 8's campaign-level promises, through the GraphQL API and the real Gmail and Graph clients
 * against the loopback fakes (real PostgreSQL and Redis): MIME intact and each recipient once over
 * four mailboxes; throttling and 5xx with Retry-After honoured without duplicates; an expired token
 * refreshed once; a revoked mailbox waits for its reconnection; sends whose answer was lost are
 * reconciled, not repeated.
 */

const CONNECT = `mutation($i: ConnectSenderAccountInput!) { connectSenderAccount(input: $i) { id email status } }`;
const SEND = `mutation($id: ID!) { sendCampaign(id: $id) { campaign { status } } }`;
const PROGRESS = `query($id: ID!) { campaignProgress(campaignId: $id) {
  campaign { status waitingFor }
  stats { total pending queued sending sent failed } } }`;
const ACCOUNTS = `{ senderAccounts { id email status lastError } }`;

const ATTACHMENT = 'sku,price\nA-1,10\nB-2,20\n';
const GMAIL_SEND = '/gmail/v1/users/me/messages/send';
const GRAPH_SEND = /^\/v1\.0\/me\/messages\/[^/]+\/send$/;

interface Progress {
  campaign: { status: string; waitingFor: string | null };
  stats: { total: number; pending: number; queued: number; sending: number; sent: number; failed: number };
}
interface Mailbox {
  id: string;
  email: string;
  provider: 'GMAIL' | 'MICROSOFT';
}
interface Received {
  mailbox: string;
  to: string;
  messageId: string;
  raw: Buffer;
}

describe('campaigns over Gmail and Microsoft 365 mailboxes (real clients, fake providers)', () => {
  let google: FakeGoogle;
  let ms: FakeMicrosoft;
  let t: TestApp;
  let me: GraphQLClient;
  let n = 0;

  beforeAll(async () => {
    [google, ms] = await Promise.all([startFakeGoogle(), startFakeMicrosoft()]);
    t = await startTestApp({
      ...fakeProviders({ google, microsoft: ms }),
      runnerTickMs: 200,
      // An unanswered send is resent only when the provider still has no trace of it this long after.
      providers: { timeoutMs: 10_000, reconcileLagMs: 3000 },
    });
    t.config.delivery.retryBaseMs = 200; // Retry-After, not the backoff, decides the waits below
    const api = new GraphQLClient(t.url);
    const owner = await signUpWithOrg(api, 'oauthcampaigns');
    me = api.as({ token: owner.token, org: owner.org });
  });
  afterEach(() => {
    google.clearFaults();
    ms.clearFaults();
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([google.close(), ms.close()]);
  });

  /** Two Gmail and two Microsoft 365 mailboxes, connected with pasted refresh tokens (automation). */
  async function fourMailboxes(minGapSeconds = 0): Promise<Mailbox[]> {
    const tag = ++n;
    const boxes: Mailbox[] = [];
    for (const [provider, email] of [
      ['GMAIL', `g${tag}a@gmail-workspace.example`],
      ['GMAIL', `g${tag}b@gmail-workspace.example`],
      ['MICROSOFT', `m${tag}a@contoso.example`],
      ['MICROSOFT', `m${tag}b@contoso.example`],
    ] as const) {
      const fake = provider === 'GMAIL' ? google : ms;
      fake.addUser(email);
      boxes.push({
        ...(await connect(provider, email, fake.issueRefreshToken(email), minGapSeconds)),
        provider,
      });
    }
    return boxes;
  }

  async function connect(
    provider: 'GMAIL' | 'MICROSOFT',
    email: string,
    refreshToken: string,
    minGapSeconds = 0,
  ) {
    const { connectSenderAccount } = await me.ok(CONNECT, {
      i: { provider, email, oauth: { refreshToken }, minGapSeconds, dailyCap: 10_000 },
    });
    expect(connectSenderAccount.status).toBe('ACTIVE');
    return connectSenderAccount as { id: string; email: string };
  }

  async function startCampaign(boxes: Mailbox[], recipients: number, name: string) {
    const listId = await listWithContacts(me, recipients, `${name}-`);
    const { createCampaign } = await me.ok(CREATE_CAMPAIGN, {
      i: {
        name,
        subject: 'Spring prices for {{ contact.firstName | default: "you" }}',
        htmlBody: '<p>Hello <b>{{ contact.email }}</b>, our prices are attached.</p>',
        textBody: 'Hello {{ contact.email }}, our prices are attached.',
        attachments: [
          {
            filename: 'price-list.csv',
            contentType: 'text/csv',
            contentBase64: Buffer.from(ATTACHMENT).toString('base64'),
          },
        ],
        senderAccountIds: boxes.map((b) => b.id),
        listIds: [listId],
      },
    });
    const id = createCampaign.id as string;
    await me.ok(SEND, { id });
    return id;
  }

  const progress = async (id: string) =>
    (await me.ok<{ campaignProgress: Progress }>(PROGRESS, { id })).campaignProgress;

  const completed = (id: string) =>
    waitFor(
      () => progress(id),
      (p) => p.campaign.status === 'COMPLETED',
      120_000,
    );

  /** What the fakes actually sent from these mailboxes (Gmail's SENT label; Exchange's Sent Items). */
  function received(boxes: Mailbox[]): Received[] {
    return boxes.flatMap((b) =>
      (b.provider === 'GMAIL' ? google.mailbox(b.email).sent() : ms.mailbox(b.email).sent()).map((m) => ({
        mailbox: b.email,
        to: headerOf(m.raw, 'To') ?? '',
        messageId: headerOf(m.raw, 'Message-ID') ?? '',
        raw: m.raw,
      })),
    );
  }

  const ledger = (campaignId: string) =>
    t.prisma.db.outboundMessage.findMany({
      where: { groupId: campaignId },
      select: { email: true, status: true, messageId: true, senderAccountId: true, attempts: true },
    });

  /** Each recipient of the campaign received exactly once, from the mailbox the ledger names. */
  async function expectEachOnce(campaignId: string, boxes: Mailbox[]) {
    const rows = await ledger(campaignId);
    const got = received(boxes);
    const byTo = new Map<string, Received[]>();
    for (const r of got) byTo.set(r.to, [...(byTo.get(r.to) ?? []), r]);
    const duplicates = [...byTo].filter(([, list]) => list.length > 1).map(([to]) => to);
    expect(duplicates).toEqual([]);
    expect([...byTo.keys()].sort()).toEqual(rows.map((r) => r.email).sort());
    for (const row of rows) {
      const [one] = byTo.get(row.email)!;
      expect(one.messageId).toBe(row.messageId);
      expect(one.mailbox).toBe(boxes.find((b) => b.id === row.senderAccountId)!.email);
    }
    return { rows, got };
  }

  it('a campaign over two Gmail and two Microsoft 365 mailboxes completes; every recipient gets the whole MIME once', async () => {
    const boxes = await fourMailboxes();
    const id = await startCampaign(boxes, 20, 'mime');
    const done = await completed(id);
    expect(done.stats).toMatchObject({ total: 20, sent: 20, failed: 0, pending: 0 });
    expect(done.campaign.waitingFor).toBeNull();

    const { got } = await expectEachOnce(id, boxes);
    expect(got).toHaveLength(20);
    // Spread round-robin over the four mailboxes.
    for (const b of boxes) expect(got.filter((r) => r.mailbox === b.email)).toHaveLength(5);
    // Microsoft kept only Sent Items copies of what was sent: no draft left behind.
    for (const b of boxes.filter((x) => x.provider === 'MICROSOFT')) {
      expect(ms.mailbox(b.email).drafts()).toEqual([]);
    }

    for (const r of got) {
      const mail: ParsedMail = await simpleParser(r.raw);
      const contactNo = Number(/(\d+)@/.exec(r.to)![1]);
      expect(mail.subject).toBe(`Spring prices for ${contactNo % 2 ? `First${contactNo}` : 'you'}`);
      expect(mail.from?.value[0].address).toBe(r.mailbox);
      expect(mail.html).toContain(`Hello <b>${r.to}</b>, our prices are attached.`);
      expect(mail.text).toContain(`Hello ${r.to}, our prices are attached.`);
      expect(mail.attachments).toHaveLength(1);
      expect(mail.attachments[0]).toMatchObject({ filename: 'price-list.csv', contentType: 'text/csv' });
      expect(mail.attachments[0].content.toString()).toBe(ATTACHMENT);
      expect(headerOf(r.raw, 'List-Unsubscribe')).toMatch(/^<https?:\/\/[^>]+>$/);
      expect(headerOf(r.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    }
    // Each recipient's one-click unsubscribe address is their own.
    expect(new Set(got.map((r) => headerOf(r.raw, 'List-Unsubscribe'))).size).toBe(20);
  });

  it('with 20 % of sends answered 429 or 5xx with Retry-After it completes without duplicates, never retrying early; an expired token is refreshed once', async () => {
    // A one-second gap keeps each mailbox's sends one after another, so every request after a
    // refusal was made after the engine had its answer.
    const boxes = await fourMailboxes(1);
    const [gExpired, , mExpired] = boxes;
    google.expireAccessTokens(gExpired.email);
    ms.expireAccessTokens(mExpired.email);
    const refreshesBefore = {
      google: google.tokenGrants('refresh_token').filter((r) => r.user === gExpired.email).length,
      ms: ms.tokenGrants('refresh_token').filter((r) => r.user === mExpired.email).length,
    };

    // Every fifth send request of each provider (never a message's second attempt) is refused,
    // alternately 429 (Retry-After: 3) and 503 (Retry-After: 2).
    const decided = new Map<FakeRequest, { messageId: string; status?: 429 | 503; seconds?: number }>();
    const decide = (req: FakeRequest, messageId: string, counter: { n: number }) => {
      let d = decided.get(req);
      if (!d) {
        d = { messageId };
        if (messageId && !faultedIds.has(messageId) && ++counter.n % 5 === 0) {
          faultedIds.add(messageId);
          const throttled = (counter.n / 5) % 2 === 1;
          Object.assign(d, throttled ? { status: 429, seconds: 3 } : { status: 503, seconds: 2 });
        }
        decided.set(req, d);
      }
      return d;
    };
    const faultedIds = new Set<string>();
    const gmailId = (req: FakeRequest) =>
      headerOf(Buffer.from(jsonBody<{ raw?: string }>(req).raw ?? '', 'base64url'), 'Message-ID') ?? '';
    const graphId = (req: FakeRequest) => {
      const draft = /messages\/([^/]+)\/send$/.exec(req.path)![1];
      const m = req.user ? ms.mailbox(req.user).messages.find((x) => x.id === draft) : undefined;
      return m ? (headerOf(m.raw, 'Message-ID') ?? '') : '';
    };
    const gCount = { n: 0 };
    const mCount = { n: 0 };
    for (const status of [429, 503] as const) {
      const seconds = status === 429 ? 3 : 2;
      google.inject({
        method: 'POST',
        path: GMAIL_SEND,
        times: Infinity,
        when: (req) => decide(req, gmailId(req), gCount).status === status,
        status,
        headers: { 'retry-after': String(seconds) },
        json:
          status === 429
            ? gmailError(429, 'userRateLimitExceeded', 'User-rate limit exceeded')
            : gmailError(503, 'backendError', 'Backend Error'),
      });
      ms.inject({
        method: 'POST',
        path: GRAPH_SEND,
        times: Infinity,
        when: (req) => decide(req, graphId(req), mCount).status === status,
        status,
        headers: { 'retry-after': String(seconds) },
        json:
          status === 429
            ? graphError('TooManyRequests', 'Too many requests; retry later')
            : graphError('ServiceUnavailable', 'The service is temporarily unavailable'),
      });
    }

    const id = await startCampaign(boxes, 40, 'faults');
    const done = await completed(id);
    expect(done.stats).toMatchObject({ total: 40, sent: 40, failed: 0 });
    await expectEachOnce(id, boxes);

    // About a fifth of the first attempts were refused, on both providers.
    const refused = [...decided].filter(([, d]) => d.status);
    expect(refused.length).toBeGreaterThanOrEqual(8);
    expect(new Set(refused.map(([r]) => (r.path === GMAIL_SEND ? 'gmail' : 'graph')))).toEqual(
      new Set(['gmail', 'graph']),
    );
    // No message was tried again before the Retry-After it was given (10 ms for clock granularity).
    const attempts = [...decided].sort(([a], [b]) => a.at.getTime() - b.at.getTime());
    for (const [req, d] of refused) {
      const next = attempts.find(([r, x]) => x.messageId === d.messageId && r.at > req.at);
      expect(next).toBeDefined();
      const waited = next![0].at.getTime() - req.at.getTime();
      expect({ messageId: d.messageId, waited: waited >= d.seconds! * 1000 - 10 }).toEqual({
        messageId: d.messageId,
        waited: true,
      });
    }

    // A throttled mailbox (429) sent nothing at all before its Retry-After had passed.
    for (const [req, d] of refused.filter(([, x]) => x.status === 429)) {
      const early = attempts.filter(
        ([r]) =>
          r.user === req.user && r.at > req.at && r.at.getTime() < req.at.getTime() + d.seconds! * 1000 - 10,
      );
      expect({ mailbox: req.user, early: early.length }).toEqual({ mailbox: req.user, early: 0 });
    }

    // The expired access tokens: one 401 answered by one refresh each, then the sends went through.
    const refreshes = {
      google: google.tokenGrants('refresh_token').filter((r) => r.user === gExpired.email).length,
      ms: ms.tokenGrants('refresh_token').filter((r) => r.user === mExpired.email).length,
    };
    expect(refreshes).toEqual({ google: refreshesBefore.google + 1, ms: refreshesBefore.ms + 1 });
    expect(received([gExpired, mExpired]).length).toBe(20);
  });

  it('invalid_grant on one mailbox: it is DISCONNECTED, its recipients wait while the others finish; reconnecting resumes them', async () => {
    const boxes = await fourMailboxes();
    const revoked = boxes[1];
    google.revoke(revoked.email); // its refresh token answers invalid_grant, its access token 401
    const id = await startCampaign(boxes, 20, 'revoked');

    const others = boxes.filter((b) => b !== revoked);
    // The mailbox is marked DISCONNECTED as soon as its first send is refused; the messages its job
    // held (claimed, some still rendering) go back a moment later, when the job records them.
    const waiting = await waitFor(
      () => progress(id),
      (p) => p.stats.sent === 15 && p.campaign.waitingFor !== null && p.stats.queued + p.stats.sending === 0,
      120_000,
    );
    const account = async () =>
      (
        await me.ok<{ senderAccounts: { id: string; status: string; lastError: string | null }[] }>(ACCOUNTS)
      ).senderAccounts.find((a) => a.id === revoked.id)!;
    expect(await account()).toMatchObject({
      status: 'DISCONNECTED',
      lastError: expect.stringContaining('invalid_grant'),
    });
    expect(waiting.campaign.status).toBe('SENDING');
    expect(waiting.campaign.waitingFor).toContain(revoked.email);
    expect(waiting.campaign.waitingFor).toContain('DISCONNECTED');
    expect(waiting.stats).toMatchObject({ total: 20, sent: 15, failed: 0, pending: 5 });
    // The other three mailboxes finished their share; nothing of the revoked one was sent or failed.
    expect(received(others)).toHaveLength(15);
    expect(google.mailbox(revoked.email).sent()).toHaveLength(0);
    const rows = await ledger(id);
    expect(
      rows
        .filter((r) => r.senderAccountId === revoked.id)
        .map((r) => r.status)
        .sort(),
    ).toEqual(['PENDING', 'PENDING', 'PENDING', 'PENDING', 'PENDING']);

    // Still waiting a while later: nothing is given up while the mailbox is away.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await progress(id)).stats).toMatchObject({ sent: 15, failed: 0, pending: 5 });

    // Reconnected (automation path: a freshly pasted refresh token): its recipients go out.
    const again = await connect('GMAIL', revoked.email, google.issueRefreshToken(revoked.email));
    expect(again.id).toBe(revoked.id);
    const done = await completed(id);
    expect(done.stats).toMatchObject({ total: 20, sent: 20, failed: 0 });
    expect(done.campaign.waitingFor).toBeNull();
    expect((await account()).status).toBe('ACTIVE');
    const { got } = await expectEachOnce(id, boxes);
    expect(got.filter((r) => r.mailbox === revoked.email)).toHaveLength(5);
  });

  it('"accepted but the response was lost" on 50 sends: reconciliation marks all 50 SENT, each received once', async () => {
    const boxes = await fourMailboxes();
    // The providers' search finds a new message only after a while, so the in-line lookup misses
    // it and the runner's reconciliation (within PROVIDER_RECONCILE_LAG_MS) must find it.
    google.setIndexLag(1000);
    ms.setSentItemsLag(1000);
    try {
      google.inject({ method: 'POST', path: GMAIL_SEND, lose: true, times: 25 });
      ms.inject({ method: 'POST', path: GRAPH_SEND, lose: true, times: 25 });
      const id = await startCampaign(boxes, 60, 'lost');
      const done = await completed(id);
      expect(done.stats).toMatchObject({ total: 60, sent: 60, failed: 0 });

      const sends = [
        ...google.requests.filter((r) => r.method === 'POST' && r.path === GMAIL_SEND),
        ...ms.requests.filter((r) => r.method === 'POST' && GRAPH_SEND.test(r.path)),
      ].filter((r) => boxes.some((b) => b.email === r.user));
      // 60 messages, one send request each: the 50 lost answers were reconciled, never resent.
      expect(sends).toHaveLength(60);
      const { rows } = await expectEachOnce(id, boxes);
      expect(rows.every((r) => r.status === 'SENT' && r.attempts === 1)).toBe(true);
      const reconciled = await t.prisma.db.outboundMessage.count({
        where: { groupId: id, status: 'SENT', providerMessageId: { not: null } },
      });
      expect(reconciled).toBe(60);
    } finally {
      google.setIndexLag(0);
      ms.setSentItemsLag(0);
    }
  });
});
