import { signUpWithOrg, type Account } from './factories/accounts.js';
import {
  CREATE_CAMPAIGN,
  campaignInput,
  listWithContacts,
  sandboxMailbox,
  smtpMailbox,
  waitFor,
} from './factories/campaigns.js';
import { startFakeSmtp, type FakeSmtp } from './support/fake-smtp.js';
import { GraphQLClient, subscribe } from './support/graphql-client.js';
import { ManualClock } from './support/manual-clock.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const PROGRESS = `query($id: ID!) { campaignProgress(campaignId: $id) {
  campaign { status error } stats { total pending queued sending sent failed cancelled skipped progress deliveryRate } } }`;

describe('campaigns end to end over SANDBOX and SMTP mailboxes', () => {
  let t: TestApp;
  let api: GraphQLClient;
  let owner: Account;
  let me: GraphQLClient;
  let smtp: FakeSmtp;
  const clock = new ManualClock(new Date(), { running: true });

  beforeAll(async () => {
    smtp = await startFakeSmtp({ auth: { username: 'mailer', password: 'secret-pass' } });
    t = await startTestApp(
      { runnerTickMs: 200, mailboxHostAllowlist: [`${smtp.host}:${smtp.port}`] },
      'all',
      { clock },
    );
    t.config.delivery.retryBaseMs = 100;
    api = new GraphQLClient(t.url);
    owner = await signUpWithOrg(api, 'owner');
    me = api.as({ token: owner.token, org: owner.org });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const progress = async (id: string) => (await me.ok(PROGRESS, { id })).campaignProgress;

  it('sends one message to each of 300 contacts from its assigned mailbox, with live progress to 100 %', async () => {
    const [a, b] = [await sandboxMailbox(me, 'alpha'), await sandboxMailbox(me, 'beta')];
    const c = await smtpMailbox(me, 'gamma', smtp);
    const listId = await listWithContacts(me, 300, 'p');
    // An overlapping list: contacts on both lists still get one email.
    const overlap = await listWithContacts(me, 10, 'p');
    const { createCampaign } = await me.ok(CREATE_CAMPAIGN, {
      i: campaignInput([a.id, b.id, c.id], [listId, overlap]),
    });

    const ws = me.ws();
    const sub = subscribe(
      ws,
      `subscription($id: ID!) { campaignProgress(campaignId: $id) { stats { progress sent total } campaign { status } } }`,
      {
        id: createCampaign.id,
      },
    );
    await sub.waitFor((ev) => ev.length >= 1);
    // The SMTP server holds its answers until the subscriber has seen progress strictly between
    // 0 and the total (the sandbox mailboxes' share is sent meanwhile): intermediate progress is
    // observed by design, not by luck of timing.
    let letGo!: () => void;
    const released = new Promise<void>((r) => (letGo = r));
    const everyone = Array.from({ length: 300 }, (_, k) => `p${k}@example.com`);
    for (const to of everyone) smtp.setRule(to, { holdUntil: released });
    const { sendCampaign } = await me.ok(
      `mutation($id: ID!) { sendCampaign(id: $id) { totalRecipients sendingFrom campaign { status } } }`,
      { id: createCampaign.id },
    );
    expect(sendCampaign).toEqual({
      totalRecipients: 300,
      sendingFrom: [a.email, b.email, c.email],
      campaign: { status: 'SENDING' },
    });

    const between = (e: any) => e.campaignProgress.stats.sent > 0 && e.campaignProgress.stats.sent < 300;
    try {
      await sub.waitFor((ev) => ev.some(between), 30000);
    } finally {
      letGo();
      for (const to of everyone) smtp.setRule(to, null);
    }
    const events = await sub.waitFor((ev) =>
      ev.some((e) => e.campaignProgress.campaign.status === 'COMPLETED'),
    );
    sub.dispose();
    await ws.dispose();
    const snapshots = events.map((e) => e.campaignProgress.stats);
    const middle = snapshots.find((x) => x.sent > 0 && x.sent < 300)!;
    expect(middle.progress).toBeGreaterThan(0);
    expect(middle.progress).toBeLessThan(100);
    expect(snapshots.at(-1)).toMatchObject({ sent: 300, total: 300, progress: 100 });
    // Progress never goes backwards.
    for (let i = 1; i < snapshots.length; i++)
      expect(snapshots[i].sent).toBeGreaterThanOrEqual(snapshots[i - 1].sent);

    const final = await progress(createCampaign.id);
    expect(final.stats).toMatchObject({
      total: 300,
      sent: 300,
      failed: 0,
      pending: 0,
      progress: 100,
      deliveryRate: 100,
    });

    // Every contact got exactly one message, from the mailbox it was assigned.
    const messages = await t.prisma.db.sandboxMessage.findMany({ where: { organizationId: owner.org } });
    const viaSmtp = smtp.messages.filter((m) => m.from === c.email);
    const delivered = [
      ...messages.map((m) => ({ to: m.toAddress, mailbox: m.senderAccountId, messageId: m.messageId })),
      ...viaSmtp.map((m) => ({ to: m.to[0], mailbox: c.id, messageId: m.messageId })),
    ];
    expect(delivered).toHaveLength(300);
    expect(new Set(delivered.map((d) => d.to)).size).toBe(300);
    const recipients = await t.prisma.db.outboundMessage.findMany({
      where: { groupId: createCampaign.id },
    });
    for (const r of recipients) {
      const d = delivered.find((x) => x.to === r.email)!;
      expect(d.mailbox).toBe(r.senderAccountId);
      expect(d.messageId).toBe(r.messageId);
    }
    // Round-robin: the three mailboxes share the work evenly…
    for (const mb of [a, b, c]) expect(delivered.filter((d) => d.mailbox === mb.id)).toHaveLength(100);
    // The real distribution, contact by contact: in the order the contacts were created, each
    // goes to the next mailbox in the campaign's order (a, b, c, a, …), and that mailbox sent it.
    const contacts = await t.prisma.db.contact.findMany({
      where: { organizationId: owner.org, email: { startsWith: 'p' } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { email: true },
    });
    expect(contacts).toHaveLength(300);
    const order = [a.id, b.id, c.id];
    expect(contacts.map((x) => delivered.find((d) => d.to === x.email)!.mailbox)).toEqual(
      contacts.map((_, k) => order[k % 3]),
    );
    // p1 and p3 were sent (whatever mailbox they were assigned): their raw message carries the subject.
    const rawOf = (to: string) =>
      messages.find((m) => m.toAddress === to)?.raw ?? viaSmtp.find((m) => m.to[0] === to)!.raw;
    const sample = { raw: rawOf('p1@example.com') };
    expect(sample.raw).toMatch(/^Subject: Hello First1\r?$/m);
    expect(sample.raw).toMatch(/List-Unsubscribe:\s+<http:\/\/127.0.0.1:\d+\/u\//);
    expect(sample.raw).toMatch(/List-Unsubscribe-Post: List-Unsubscribe=One-Click/);
    const p0 = delivered.find((d) => d.to === 'p0@example.com')!;
    const p0raw =
      messages.find((m) => m.toAddress === 'p0@example.com')?.raw ??
      viaSmtp.find((m) => m.to[0] === 'p0@example.com')!.raw;
    expect(p0.messageId).toBeDefined();
    expect(p0raw).toMatch(/Subject: Hello there/);
  });

  it('pauses (no send starts after the mutation returns), resumes to completion without duplicates, and cancels', async () => {
    const mb = await sandboxMailbox(me, 'slow', { minGapSeconds: 1 });
    const listId = await listWithContacts(me, 6, 'pause');
    const { createCampaign } = await me.ok(CREATE_CAMPAIGN, {
      i: campaignInput([mb.id], [listId], { name: 'Pausable' }),
    });
    const id = createCampaign.id as string;
    await me.ok(`mutation($id: ID!) { sendCampaign(id: $id) { campaign { status } } }`, { id });
    await waitFor(
      () => progress(id),
      (p) => p.stats.sent >= 1,
      20000,
    );
    await me.ok(`mutation($id: ID!) { pauseCampaign(id: $id) { campaign { status } } }`, { id });
    const pausedAt = new Date();
    await new Promise((r) => setTimeout(r, 2500));
    const started = await t.prisma.db.outboundMessage.count({
      where: { groupId: id, sendingAt: { gt: pausedAt } },
    });
    expect(started).toBe(0);
    expect((await progress(id)).campaign.status).toBe('PAUSED');

    await me.ok(`mutation($id: ID!) { resumeCampaign(id: $id) { campaign { status } } }`, { id });
    const done = await waitFor(
      () => progress(id),
      (p) => p.campaign.status === 'COMPLETED',
      30000,
    );
    expect(done.stats.sent).toBe(6);
    const sent = await t.prisma.db.sandboxMessage.findMany({ where: { senderAccountId: mb.id } });
    expect(sent).toHaveLength(6);
    expect(new Set(sent.map((m) => m.toAddress)).size).toBe(6);

    const list2 = await listWithContacts(me, 5, 'cancel');
    const c2 = (await me.ok(CREATE_CAMPAIGN, { i: campaignInput([mb.id], [list2], { name: 'Cancelled' }) }))
      .createCampaign;
    await me.ok(`mutation($id: ID!) { sendCampaign(id: $id) { campaign { status } } }`, { id: c2.id });
    const { cancelCampaign } = await me.ok(
      `mutation($id: ID!) { cancelCampaign(id: $id) { cancelledRecipients campaign { status } } }`,
      { id: c2.id },
    );
    expect(cancelCampaign.campaign.status).toBe('CANCELLED');
    expect(cancelCampaign.cancelledRecipients).toBeGreaterThanOrEqual(3);
    const after = await progress(c2.id);
    expect(after.stats.cancelled).toBe(cancelCampaign.cancelledRecipients);
    expect(after.stats.pending + after.stats.queued).toBe(0);
  });

  it('fails permanent SMTP rejections with the reason, retries transient ones, and retryFailedRecipients requeues', async () => {
    const mb = await smtpMailbox(me, 'delta', smtp);
    const listId = await listWithContacts(me, 6, 'smtp');
    smtp.setRule('smtp0@example.com', { reject: 'permanent' });
    smtp.setRule('smtp1@example.com', { reject: 'permanent' });
    smtp.setRule('smtp2@example.com', { reject: 'transient', times: 1 });
    smtp.setRule('smtp3@example.com', { reject: 'transient', times: 2 });
    const { createCampaign } = await me.ok(CREATE_CAMPAIGN, {
      i: campaignInput([mb.id], [listId], { name: 'SMTP faults' }),
    });
    const id = createCampaign.id as string;
    await me.ok(`mutation($id: ID!) { sendCampaign(id: $id) { campaign { status } } }`, { id });
    const done = await waitFor(
      () => progress(id),
      (p) => p.campaign.status === 'COMPLETED',
      30000,
    );
    expect(done.stats).toMatchObject({ sent: 4, failed: 2 });
    const failed = await t.prisma.db.outboundMessage.findMany({
      where: { groupId: id, status: 'FAILED' },
      orderBy: { email: 'asc' },
    });
    expect(failed.map((f) => f.email)).toEqual(['smtp0@example.com', 'smtp1@example.com']);
    for (const f of failed) expect(f.lastError).toMatch(/550.*user unknown/i);
    expect(smtp.attempts('smtp3@example.com')).toBe(3);
    expect(smtp.messages.filter((m) => m.to[0] === 'smtp3@example.com')).toHaveLength(1);

    smtp.setRule('smtp0@example.com', null);
    smtp.setRule('smtp1@example.com', null);
    const { retryFailedRecipients } = await me.ok(
      `mutation($id: ID!) { retryFailedRecipients(id: $id) { recipientsQueuedForRetry campaign { status } } }`,
      { id },
    );
    expect(retryFailedRecipients).toEqual({ recipientsQueuedForRetry: 2, campaign: { status: 'SENDING' } });
    const again = await waitFor(
      () => progress(id),
      (p) => p.campaign.status === 'COMPLETED',
      30000,
    );
    expect(again.stats).toMatchObject({ sent: 6, failed: 0 });
    expect(smtp.messages.filter((m) => m.to[0]?.startsWith('smtp'))).toHaveLength(6);
  });

  it('spreads a large list over days with a daily send limit, one batch a day', async () => {
    const mb = await sandboxMailbox(me, 'daily');
    const listId = await listWithContacts(me, 12, 'daily');
    const { createCampaign } = await me.ok(CREATE_CAMPAIGN, {
      i: campaignInput([mb.id], [listId], { dailySendLimit: 5 }),
    });
    const id = createCampaign.id as string;
    await me.ok(`mutation($id: ID!) { sendCampaign(id: $id) { campaign { status } } }`, { id });
    const CAMPAIGN = `query($id: ID!) { campaign(id: $id) { status nextBatchAt batchHistory { batch planned } } }`;
    await waitFor(
      () => progress(id),
      (p) => p.stats.sent === 5,
    );
    await new Promise((r) => setTimeout(r, 1000)); // several runner ticks: nothing more today
    expect((await progress(id)).stats).toMatchObject({ sent: 5, pending: 7 });
    const day1 = (await me.ok(CAMPAIGN, { id })).campaign;
    expect(day1.status).toBe('SENDING');
    expect(day1.batchHistory).toEqual([{ batch: 1, planned: 5 }]);
    expect(new Date(day1.nextBatchAt).getTime()).toBeGreaterThan(Date.now());

    // The next day comes: a new batch starts by itself.
    clock.advance(24 * 3600_000);
    await waitFor(
      () => progress(id),
      (p) => p.stats.sent === 10,
    );
    const day2 = (await me.ok(CAMPAIGN, { id })).campaign;
    expect(day2.batchHistory).toEqual([
      { batch: 1, planned: 5 },
      { batch: 2, planned: 5 },
    ]);
    expect(await t.prisma.db.sandboxMessage.count({ where: { senderAccountId: mb.id } })).toBe(10);
  });

  it("waits outside a mailbox's sending window and sends once it opens", async () => {
    const tomorrow = (clock.now().getUTCDay() + 1) % 7 || 7; // ISO weekday (UTC) of the engine's tomorrow
    const mb = await sandboxMailbox(me, 'window', { timezone: 'UTC', windowDays: [tomorrow] });
    const listId = await listWithContacts(me, 3, 'window');
    const { createCampaign } = await me.ok(CREATE_CAMPAIGN, { i: campaignInput([mb.id], [listId]) });
    await me.ok(`mutation($id: ID!) { sendCampaign(id: $id) { campaign { status } } }`, {
      id: createCampaign.id,
    });
    await new Promise((r) => setTimeout(r, 1200));
    expect((await progress(createCampaign.id)).stats).toMatchObject({ sent: 0, pending: 3 });
    clock.advance(24 * 3600_000); // tomorrow: the window opens
    const done = await waitFor(
      () => progress(createCampaign.id),
      (p) => p.campaign.status === 'COMPLETED',
    );
    expect(done.stats.sent).toBe(3);
  });

  it('sends a rendered test email without touching the campaign', async () => {
    const mb = await smtpMailbox(me, 'preview', smtp);
    const listId = await listWithContacts(me, 2, 'preview');
    const pdf = Buffer.from(
      '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
    );
    const csv = Buffer.from('sku,price\nA-1,10\n');
    const attachments = [
      { filename: 'brochure.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') },
      { filename: 'prices.csv', contentType: 'text/csv', contentBase64: csv.toString('base64') },
    ];
    const { createCampaign } = await me.ok(CREATE_CAMPAIGN, {
      i: campaignInput([mb.id], [listId], { attachments }),
    });
    const { campaign: stored } = await me.ok(
      `query($id: ID!) { campaign(id: $id) { attachments { filename size } } }`,
      { id: createCampaign.id },
    );
    expect(stored.attachments).toEqual([
      { filename: 'brochure.pdf', size: pdf.length },
      { filename: 'prices.csv', size: csv.length },
    ]);
    const { contacts } = await me.ok(
      `query($l: ID) { contacts(listId: $l, first: 10) { edges { node { id email } } } }`,
      { l: listId },
    );
    const named = contacts.edges.map((e: any) => e.node).find((c: any) => c.email === 'preview1@example.com');
    const { sendTestEmail } = await me.ok(
      `mutation($id: ID!, $to: String!, $c: ID) { sendTestEmail(id: $id, to: $to, contactId: $c) { to from subject } }`,
      { id: createCampaign.id, to: 'QA@Example.com', c: named.id },
    );
    expect(sendTestEmail).toEqual({ to: 'qa@example.com', from: mb.email, subject: '[Test] Hello First1' });
    const [received] = await smtp
      .waitForMessages(1)
      .then(() => smtp.messages.filter((m) => m.to[0] === 'qa@example.com'));
    expect(received.raw).toMatch(/Hi First1, meet preview@smtp.example.com/);
    expect(received.raw).toMatch(/Content-Type: application\/pdf; name=brochure.pdf/);
    expect(received.raw).toMatch(/Content-Disposition: attachment; filename=brochure.pdf/);
    expect(received.raw.replace(/\r?\n/g, '')).toContain(pdf.toString('base64'));
    const bad = await me.error(`mutation($id: ID!) { sendTestEmail(id: $id, to: "nope") { to } }`, {
      id: createCampaign.id,
    });
    expect(bad.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    const after = await progress(createCampaign.id);
    expect(after).toMatchObject({ campaign: { status: 'DRAFT' }, stats: { total: 0 } });

    // The campaign itself carries the same files, in their order, byte for byte.
    await me.ok(`mutation($id: ID!) { sendCampaign(id: $id) { campaign { status } } }`, {
      id: createCampaign.id,
    });
    await waitFor(
      () => progress(createCampaign.id),
      (p) => p.campaign.status === 'COMPLETED',
      30000,
    );
    const sent = smtp.messages.filter((m) => m.to[0]?.startsWith('preview'));
    expect(sent.map((m) => m.to[0]).sort()).toEqual(['preview0@example.com', 'preview1@example.com']);
    for (const m of sent) {
      const raw = m.raw.replace(/\r?\n/g, '');
      expect(raw.indexOf('filename=brochure.pdf')).toBeGreaterThan(-1);
      expect(raw.indexOf('filename=prices.csv')).toBeGreaterThan(raw.indexOf('filename=brochure.pdf'));
      expect(raw).toContain(pdf.toString('base64'));
      expect(raw).toContain(csv.toString('base64'));
    }
  });

  it('keeps the recipients of a mailbox whose login is refused waiting, says why, and sends them once it is reconnected', async () => {
    const mb = await smtpMailbox(me, 'revoked', smtp);
    const listId = await listWithContacts(me, 3, 'revoked');
    const { createCampaign } = await me.ok(CREATE_CAMPAIGN, {
      i: campaignInput([mb.id], [listId], { name: 'Revoked' }),
    });
    const id = createCampaign.id as string;
    const CAMPAIGN = `query($id: ID!) { campaign(id: $id) { status error waitingFor } }`;
    smtp.setAuth({ username: 'mailer', password: 'rotated-password' });
    try {
      await me.ok(`mutation($id: ID!) { sendCampaign(id: $id) { campaign { status } } }`, { id });
      const { senderAccounts } = await waitFor(
        () => me.ok(`{ senderAccounts { id status lastError } }`),
        (r) => r.senderAccounts.find((s: any) => s.id === mb.id).status === 'DISCONNECTED',
      );
      expect(senderAccounts.find((s: any) => s.id === mb.id).lastError).toMatch(/535/);
      await new Promise((r) => setTimeout(r, 1000)); // runner ticks: nothing is failed or lost meanwhile
      expect((await progress(id)).stats).toMatchObject({ pending: 3, failed: 0, sent: 0 });
      const waiting = (await me.ok(CAMPAIGN, { id })).campaign;
      expect(waiting).toMatchObject({ status: 'SENDING', error: null });
      expect(waiting.waitingFor).toMatch(/revoked@smtp.example.com is DISCONNECTED.*reconnect/);
    } finally {
      smtp.setAuth({ username: 'mailer', password: 'rotated-password' });
    }
    // Reconnected with the new password: the waiting recipients go out, once each.
    await smtpMailbox(me, 'revoked', { host: smtp.host, port: smtp.port, password: 'rotated-password' });
    const done = await waitFor(
      () => progress(id),
      (p) => p.campaign.status === 'COMPLETED',
    );
    expect(done.stats).toMatchObject({ sent: 3, failed: 0, pending: 0 });
    expect(smtp.messages.filter((m) => m.from === mb.email)).toHaveLength(3);
    expect((await me.ok(CAMPAIGN, { id })).campaign.waitingFor).toBeNull();
    smtp.setAuth({ username: 'mailer', password: 'secret-pass' });
  });

  it('rejects illegal transitions with CONFLICT and bad templates with BAD_USER_INPUT naming the field', async () => {
    const mb = await sandboxMailbox(me, 'rules');
    const listId = await listWithContacts(me, 1, 'rules');
    const bad = await me.error(CREATE_CAMPAIGN, {
      i: campaignInput([mb.id], [listId], { htmlBody: '{{ contact.shoeSize }}' }),
    });
    expect(bad.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'htmlBody' });
    const { createCampaign } = await me.ok(CREATE_CAMPAIGN, { i: campaignInput([mb.id], [listId]) });
    const e = await me.error(`mutation($id: ID!) { pauseCampaign(id: $id) { campaign { status } } }`, {
      id: createCampaign.id,
    });
    expect(e.extensions?.code).toBe('CONFLICT');
    expect(
      (await me.ok(`query($id: ID!) { campaign(id: $id) { status } }`, { id: createCampaign.id })).campaign
        .status,
    ).toBe('DRAFT');
  });

  it('starts a scheduled campaign on time and runAutomation reports what it did', async () => {
    const mb = await sandboxMailbox(me, 'sched');
    const listId = await listWithContacts(me, 3, 'sched');
    const at = new Date(clock.now().getTime() + 1500);
    const { createCampaign } = await me.ok(CREATE_CAMPAIGN, {
      i: campaignInput([mb.id], [listId], { scheduledAt: at.toISOString() }),
    });
    expect(createCampaign.status).toBe('SCHEDULED');
    await waitFor(
      () => progress(createCampaign.id),
      (p) => p.campaign.status !== 'SCHEDULED',
      10000,
    );
    const row = await t.prisma.db.campaign.findUniqueOrThrow({ where: { id: createCampaign.id } });
    expect(row.startedAt!.getTime() - at.getTime()).toBeLessThan(1000);
    const { runAutomation } = await me.ok(
      `mutation($org: ID!) { runAutomation(organizationId: $org) { processedCount campaigns { campaignId } errors { campaignId error } } }`,
      { org: owner.org },
    );
    expect(runAutomation).toEqual({ processedCount: 0, campaigns: [], errors: [] });
  });

  it("keeps campaigns from another organization's token", async () => {
    const mb = await sandboxMailbox(me, 'private');
    const listId = await listWithContacts(me, 1, 'private');
    const { createCampaign } = await me.ok(CREATE_CAMPAIGN, { i: campaignInput([mb.id], [listId]) });
    const other = await signUpWithOrg(api, 'other');
    const them = api.as({ token: other.token, org: other.org });
    expect(
      (await them.error(`query($id: ID!) { campaign(id: $id) { id } }`, { id: createCampaign.id })).extensions
        ?.code,
    ).toBe('NOT_FOUND');
    expect(
      (
        await them.error(`mutation($id: ID!) { sendCampaign(id: $id) { campaign { id } } }`, {
          id: createCampaign.id,
        })
      ).extensions?.code,
    ).toBe('NOT_FOUND');
    expect((await them.error(PROGRESS, { id: createCampaign.id })).extensions?.code).toBe('NOT_FOUND');
    expect((await them.ok(`{ campaigns { totalCount } }`)).campaigns.totalCount).toBe(0);
    const sub = subscribe(
      them.ws(),
      `subscription($id: ID!) { campaignProgress(campaignId: $id) { stats { total } } }`,
      { id: createCampaign.id },
    );
    await expect(sub.waitFor(() => false, 5000)).rejects.toThrow(/NOT_FOUND|not found/);
    const asThemInMine = api.as({ token: other.token, org: owner.org });
    expect(
      (await asThemInMine.error(`query($id: ID!) { campaign(id: $id) { id } }`, { id: createCampaign.id }))
        .extensions?.code,
    ).toBe('FORBIDDEN');
    expect(
      (await me.ok(`query($id: ID!) { campaign(id: $id) { status } }`, { id: createCampaign.id })).campaign
        .status,
    ).toBe('DRAFT');
  });
});
