import { DeliveryInboundSink } from '../src/delivery/inbound/delivery-inbound.sink.js';
import { InboundPollerService } from '../src/providers/inbound/inbound-poller.service.js';
import { signUpWithOrg, type Account } from './factories/accounts.js';
import {
  CREATE_CAMPAIGN,
  campaignInput,
  listWithContacts,
  sandboxMailbox,
  waitFor,
} from './factories/campaigns.js';
import { startFakeGoogle, type FakeGoogle } from './support/fake-google.js';
import { startFakeMicrosoft, type FakeMicrosoft } from './support/fake-microsoft.js';
import { GraphQLClient } from './support/graphql-client.js';
import { autoReply, bounce, reply } from './support/inbound-mail.js';
import { fakeProviders } from './support/provider-config.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const PROGRESS = `query($id: ID!) { campaignProgress(campaignId: $id) {
  campaign { status }
  stats { total sent bounced replied skipped deliveryRate }
  recentRecipients { id email status repliedAt bouncedAt lastError }
  recentEvents { type recipientId actorType data } } }`;
const CONNECT = `mutation($i: ConnectSenderAccountInput!) { connectSenderAccount(input: $i) { id email } }`;
const SUPPRESSIONS = `{ suppressions(first: 50) { edges { node { email reason } } } }`;

interface Progress {
  campaign: { status: string };
  stats: {
    total: number;
    sent: number;
    bounced: number;
    replied: number;
    skipped: number;
    deliveryRate: number;
  };
  recentRecipients: {
    id: string;
    email: string;
    status: string;
    repliedAt: string | null;
    bouncedAt: string | null;
    lastError: string | null;
  }[];
  recentEvents: { type: string; recipientId: string | null; actorType: string; data: string }[];
}

async function sendAndComplete(me: GraphQLClient, senders: string[], listId: string, name: string) {
  const { createCampaign } = await me.ok(CREATE_CAMPAIGN, { i: campaignInput(senders, [listId], { name }) });
  const id = createCampaign.id as string;
  await me.ok(`mutation($id: ID!) { sendCampaign(id: $id) { campaign { status } } }`, { id });
  await waitFor(
    () => progressOf(me, id),
    (p) => p.campaign.status === 'COMPLETED',
    60_000,
  );
  return id;
}

const progressOf = async (me: GraphQLClient, id: string) =>
  (await me.ok<{ campaignProgress: Progress }>(PROGRESS, { id })).campaignProgress;

/**
 * Replies, automatic replies and bounces delivered into Gmail and Microsoft 365 mailboxes (the
 * fakes, through the real clients) reach the campaign within one poll, through delivery's sink.
 */
describe('replies and bounces from Gmail and Microsoft 365 mailboxes', () => {
  let google: FakeGoogle;
  let ms: FakeMicrosoft;
  let t: TestApp;
  let api: GraphQLClient;
  let owner: Account;
  let me: GraphQLClient;
  let poller: InboundPollerService;

  beforeAll(async () => {
    [google, ms] = await Promise.all([startFakeGoogle(), startFakeMicrosoft()]);
    t = await startTestApp({ ...fakeProviders({ google, microsoft: ms }), runnerTickMs: 200 });
    api = new GraphQLClient(t.url);
    owner = await signUpWithOrg(api, 'inbound');
    me = api.as({ token: owner.token, org: owner.org });
    poller = t.app.get(InboundPollerService);
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([google.close(), ms.close()]);
  });

  /** One poll of every mailbox, as a worker's tick would do it when they are due. */
  const pollOnce = async () => {
    await t.prisma.db.senderAccount.updateMany({ data: { inboundPollAt: null } });
    return poller.pollDue();
  };

  it('a reply, an auto-reply and a hard bounce show on the campaign within one poll; nothing changes on a second delivery; the address is suppressed', async () => {
    google.addUser('ada@example.com');
    ms.addUser('bob@contoso.example');
    const connect = async (provider: 'GMAIL' | 'MICROSOFT', email: string, refreshToken: string) =>
      (
        await me.ok(CONNECT, {
          i: { provider, email, oauth: { refreshToken }, minGapSeconds: 0, dailyCap: 1000 },
        })
      ).connectSenderAccount as { id: string; email: string };
    const ada = await connect('GMAIL', 'ada@example.com', google.issueRefreshToken('ada@example.com'));
    const bob = await connect(
      'MICROSOFT',
      'bob@contoso.example',
      ms.issueRefreshToken('bob@contoso.example'),
    );

    // Another organization sends from a sandbox mailbox: its Message-IDs must never touch our data.
    const other = await signUpWithOrg(api, 'other');
    const them = api.as({ token: other.token, org: other.org });
    const theirBox = await sandboxMailbox(them, 'theirs');
    const theirCampaign = await sendAndComplete(
      them,
      [theirBox.id],
      await listWithContacts(them, 1, 'th'),
      'Theirs',
    );
    const [theirMessage] = await t.prisma.db.outboundMessage.findMany({ where: { groupId: theirCampaign } });

    const listId = await listWithContacts(me, 6, 'in');
    const campaignId = await sendAndComplete(me, [ada.id, bob.id], listId, 'Outreach');
    const sent = await t.prisma.db.outboundMessage.findMany({ where: { groupId: campaignId } });
    const by = (email: string) => sent.find((m) => m.email === email)!;
    const viaGmail = sent.filter((m) => m.senderAccountId === ada.id).map((m) => m.email);
    const viaGraph = sent.filter((m) => m.senderAccountId === bob.id).map((m) => m.email);
    expect(viaGmail).toHaveLength(3);
    expect(viaGraph).toHaveLength(3);

    expect(await pollOnce()).toBe(2); // the first poll starts each mailbox's history "now"

    const [gReply, gBounce] = viaGmail.map(by);
    const [mAuto, mReply] = viaGraph.map(by);
    const original = (m: (typeof sent)[number]) => ({ messageId: m.messageId!, subject: m.subject! });
    // Exchange gave the sent message its own internetMessageId: answers name that one, not ours.
    const exchangeCopy = (m: (typeof sent)[number]) => {
      const copy = ms
        .mailbox('bob@contoso.example')
        .sent()
        .find((x) => x.raw.toString('utf8').includes(m.messageId!))!;
      expect(copy.internetMessageId).not.toBe(m.messageId);
      return { messageId: copy.internetMessageId, subject: m.subject! };
    };
    google.deliver('ada@example.com', reply(gReply.email, 'ada@example.com', original(gReply)));
    google.deliver(
      'ada@example.com',
      bounce('ada@example.com', gBounce.email, original(gBounce), { status: '5.1.1' }),
    );
    google.deliver(
      'ada@example.com',
      reply('stranger@example.org', 'ada@example.com', { messageId: theirMessage.messageId!, subject: 'Hi' }),
    );
    ms.deliver('bob@contoso.example', autoReply(mAuto.email, 'bob@contoso.example', exchangeCopy(mAuto)));
    ms.deliver('bob@contoso.example', reply(mReply.email, 'bob@contoso.example', exchangeCopy(mReply)));

    const cursors = await t.prisma.db.senderAccount.findMany({
      where: { id: { in: [ada.id, bob.id] } },
      select: { id: true, inboundCursor: true },
    });
    expect(await pollOnce()).toBe(2);

    const after = await progressOf(me, campaignId);
    expect(after.stats).toMatchObject({ total: 6, sent: 6, replied: 2, bounced: 1 });
    expect(after.stats.deliveryRate).toBeCloseTo((5 / 6) * 100, 1);
    const recipient = (email: string) => after.recentRecipients.find((r) => r.email === email)!;
    expect(recipient(gReply.email).repliedAt).not.toBeNull();
    expect(recipient(mReply.email).repliedAt).not.toBeNull();
    expect(recipient(mAuto.email).repliedAt).toBeNull(); // automatic: not counted as a reply
    expect(recipient(gBounce.email)).toMatchObject({
      status: 'BOUNCED',
      lastError: expect.stringContaining('5.1.1'),
    });
    const events = (type: string) => after.recentEvents.filter((e) => e.type === type);
    expect(
      events('recipient.replied')
        .map((e) => e.recipientId)
        .sort(),
    ).toEqual([gReply.id, mReply.id].sort());
    expect(events('recipient.auto_replied')).toEqual([
      expect.objectContaining({ recipientId: mAuto.id, actorType: 'SYSTEM' }),
    ]);
    expect(JSON.parse(events('recipient.auto_replied')[0].data)).toMatchObject({ automatic: true });
    expect(events('recipient.bounced')).toEqual([expect.objectContaining({ recipientId: gBounce.id })]);

    const { suppressions } = await me.ok(SUPPRESSIONS);
    expect(suppressions.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { email: gBounce.email, reason: 'BOUNCED' },
    ]);

    // The other organization's message was answered in our mailbox: recorded as unmatched, theirs untouched.
    const theirs = await progressOf(them, theirCampaign);
    expect(theirs.stats).toMatchObject({ replied: 0, bounced: 0 });
    expect(
      (await t.prisma.db.outboundMessage.findUniqueOrThrow({ where: { id: theirMessage.id } })).repliedAt,
    ).toBeNull();
    const inbound = await t.prisma.db.inboundMessage.findMany({
      where: { senderAccountId: { in: [ada.id, bob.id] } },
    });
    expect(inbound).toHaveLength(5);
    expect(inbound.find((i) => i.fromAddress === 'stranger@example.org')).toMatchObject({
      organizationId: owner.org,
      outboundMessageId: null,
      kind: 'REPLY',
    });
    expect(await t.prisma.db.inboundMessage.count({ where: { organizationId: other.org } })).toBe(0);

    // Polling again changes nothing; nor does fetching the same mail again (a crash before the cursor was stored).
    expect(await pollOnce()).toBe(2);
    for (const c of cursors) {
      await t.prisma.db.senderAccount.update({
        where: { id: c.id },
        data: { inboundCursor: c.inboundCursor },
      });
    }
    expect(await pollOnce()).toBe(2);
    const again = await progressOf(me, campaignId);
    expect(again.stats).toEqual(after.stats);
    expect(
      again.recentEvents.filter((e) => e.type.startsWith('recipient.') && e.type !== 'recipient.sent'),
    ).toHaveLength(
      after.recentEvents.filter((e) => e.type.startsWith('recipient.') && e.type !== 'recipient.sent').length,
    );
    expect(
      await t.prisma.db.inboundMessage.count({ where: { senderAccountId: { in: [ada.id, bob.id] } } }),
    ).toBe(5);

    // Simulating answers is for SANDBOX mailboxes only: Gmail and Microsoft answers arrive by polling.
    const simulated = await me.error(`mutation($id: ID!) { simulateReply(messageId: $id) { id } }`, {
      id: mReply.id,
    });
    expect(simulated.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'messageId' });

    // A later campaign to the same list skips the bounced address.
    const later = await sendAndComplete(me, [ada.id, bob.id], listId, 'Follow-up');
    const laterProgress = await progressOf(me, later);
    expect(laterProgress.stats).toMatchObject({ total: 6, sent: 5, skipped: 1 });
    expect(laterProgress.recentRecipients.find((r) => r.email === gBounce.email)!.status).toBe('SKIPPED');
  });
});

/** SANDBOX mailboxes: replies and bounces simulated over GraphQL and from the inbox page. */
describe('simulated replies and bounces for SANDBOX mailboxes', () => {
  let t: TestApp;
  let api: GraphQLClient;
  let me: GraphQLClient;
  let owner: Account;
  let campaignId: string;
  let recipients: Progress['recentRecipients'];

  const SIMULATE_REPLY = `mutation($id: ID!, $body: String, $automatic: Boolean) {
    simulateReply(messageId: $id, body: $body, automatic: $automatic) { id kind outboundMessageId from subject } }`;
  const SIMULATE_BOUNCE = `mutation($id: ID!, $hard: Boolean) {
    simulateBounce(messageId: $id, hard: $hard) { id kind outboundMessageId bounceStatus } }`;

  beforeAll(async () => {
    t = await startTestApp({ runnerTickMs: 200 });
    api = new GraphQLClient(t.url);
    owner = await signUpWithOrg(api, 'sandboxer');
    me = api.as({ token: owner.token, org: owner.org });
    const box = await sandboxMailbox(me, 'demo');
    campaignId = await sendAndComplete(me, [box.id], await listWithContacts(me, 4, 'sb'), 'Sandbox');
    recipients = (await progressOf(me, campaignId)).recentRecipients.sort((a, b) =>
      a.email.localeCompare(b.email),
    );
  });
  afterAll(() => t.close());

  it('simulateReply and simulateBounce go through the inbound pipeline: counted, suppressed, automatic kept apart', async () => {
    const [r0, r1, r2] = recipients;
    const { simulateReply: human } = await me.ok(SIMULATE_REPLY, { id: r0.id, body: 'Interested, call me.' });
    expect(human).toMatchObject({ kind: 'REPLY', outboundMessageId: r0.id, from: r0.email });
    expect(human.subject).toMatch(/^Re: /);
    const { simulateReply: auto } = await me.ok(SIMULATE_REPLY, { id: r1.id, automatic: true });
    expect(auto).toMatchObject({ kind: 'AUTO_REPLY', outboundMessageId: r1.id });
    const { simulateBounce } = await me.ok(SIMULATE_BOUNCE, { id: r2.id });
    expect(simulateBounce).toMatchObject({
      kind: 'BOUNCE_HARD',
      outboundMessageId: r2.id,
      bounceStatus: '5.1.1',
    });

    const p = await progressOf(me, campaignId);
    expect(p.stats).toMatchObject({ replied: 1, bounced: 1 });
    expect(p.recentRecipients.find((r) => r.id === r2.id)!.status).toBe('BOUNCED');
    expect(p.recentEvents.map((e) => e.type)).toEqual(
      expect.arrayContaining(['recipient.replied', 'recipient.auto_replied', 'recipient.bounced']),
    );
    const { suppressions } = await me.ok(SUPPRESSIONS);
    expect(suppressions.edges.map((e: { node: { email: string } }) => e.node.email)).toEqual([r2.email]);

    // A second reply from the same person is recorded but counts once.
    await me.ok(SIMULATE_REPLY, { id: r0.id, body: 'Also, Thursday works.' });
    expect((await progressOf(me, campaignId)).stats.replied).toBe(1);
  });

  it('another organization gets NOT_FOUND for our message and changes nothing; bad input names its field', async () => {
    const before = await progressOf(me, campaignId);
    const intruder = await signUpWithOrg(api, 'intruder');
    const them = api.as({ token: intruder.token, org: intruder.org });
    const target = recipients[3];
    for (const query of [SIMULATE_REPLY, SIMULATE_BOUNCE]) {
      const error = await them.error(query, { id: target.id });
      expect(error.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'messageId' });
    }
    expect((await them.error(SIMULATE_REPLY, { id: 'not-an-id' })).extensions).toMatchObject({
      code: 'NOT_FOUND',
      field: 'messageId',
    });
    expect(
      (await me.error(SIMULATE_REPLY, { id: target.id, body: 'x'.repeat(10_001) })).extensions,
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'body' });
    const after = await progressOf(me, campaignId);
    expect(after.stats).toEqual(before.stats);
    expect(after.recentRecipients.find((r) => r.id === target.id)).toMatchObject({
      repliedAt: null,
      bouncedAt: null,
    });
    expect(await t.prisma.db.inboundMessage.count({ where: { outboundMessageId: target.id } })).toBe(0);
  });

  it('the same mail recorded by several processes at once has its effects once; answers racing on one message all land', async () => {
    const target = recipients[1]; // auto-replied so far, not replied
    const before = (await progressOf(me, campaignId)).stats.replied;
    const row = await t.prisma.db.outboundMessage.findUniqueOrThrow({ where: { id: target.id } });
    const sender = await t.prisma.db.senderAccount.findUniqueOrThrow({ where: { id: row.senderAccountId! } });
    const mailbox = {
      id: sender.id,
      organizationId: owner.org,
      email: sender.email,
      provider: 'SANDBOX' as const,
    };
    const mail = (n: number) => ({
      providerMessageId: `race-${n}`,
      raw: Buffer.from(
        reply(
          target.email,
          mailbox.email,
          { messageId: row.messageId!, subject: row.subject! },
          `answer ${n}`,
        ),
      ),
    });
    const sink = t.app.get(DeliveryInboundSink);
    const same = mail(0);
    const results = await Promise.all([
      ...[1, 2, 3].map(() => sink.recordOne(mailbox, same)),
      ...[1, 2, 3].map((n) => sink.recordOne(mailbox, mail(n))),
    ]);
    expect(results.filter((r) => r.created)).toHaveLength(4);
    expect(new Set(results.slice(0, 3).map((r) => r.id)).size).toBe(1);
    expect(results.every((r) => r.kind === 'REPLY' && r.outboundMessageId === target.id)).toBe(true);
    expect((await progressOf(me, campaignId)).stats.replied).toBe(before + 1);
    expect(
      await t.prisma.db.inboundMessage.count({ where: { outboundMessageId: target.id, kind: 'REPLY' } }),
    ).toBe(4);
  });

  it('the sandbox inbox page has a Reply button that records a reply through the same pipeline', async () => {
    const target = recipients[3];
    const before = (await progressOf(me, campaignId)).stats.replied;
    const { sandboxInboxUrl } = await me.ok<{ sandboxInboxUrl: string }>(`{ sandboxInboxUrl }`);
    const auth = new URL(sandboxInboxUrl).search;
    const stored = await t.prisma.db.sandboxMessage.findFirstOrThrow({
      where: { organizationId: owner.org, toAddress: target.email },
    });
    const page = await (await fetch(`${t.url}/sandbox/inbox/${stored.id}${auth}`)).text();
    const action = /<form method="post" action="([^"]*\/reply\?[^"]*)"/
      .exec(page)?.[1]
      .replace(/&amp;/g, '&');
    expect(action).toBeDefined();
    expect(page).toContain('>Reply</button>');

    // Without the inbox key nothing is recorded.
    const forged = await fetch(`${t.url}/sandbox/inbox/${stored.id}/reply?org=${owner.org}&key=wrong`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ body: 'forged' }).toString(),
      redirect: 'manual',
    });
    expect(forged.status).toBe(403);
    expect((await progressOf(me, campaignId)).stats.replied).toBe(before);

    const posted = await fetch(`${t.url}${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ body: 'Clicked Reply in the sandbox inbox.' }).toString(),
      redirect: 'manual',
    });
    expect(posted.status).toBe(303);
    const location = posted.headers.get('location')!;
    expect(location).toContain(`/sandbox/inbox/${stored.id}?`);
    const shown = await (await fetch(`${t.url}${location}`)).text();
    expect(shown).toContain('A reply from the recipient was recorded');

    const p = await progressOf(me, campaignId);
    expect(p.stats.replied).toBe(before + 1);
    expect(p.recentRecipients.find((r) => r.id === target.id)!.repliedAt).not.toBeNull();
  });
});
