import { INBOUND_SINK, type InboundMailbox, type InboundSink } from '../src/providers/inbound-sink.port.js';
import { DeliveryInboundSink } from '../src/delivery/inbound/delivery-inbound.sink.js';
import { InboundPollerService } from '../src/providers/inbound/inbound-poller.service.js';
import type { InboundMail, MailProvider } from '../src/providers/mail-provider.port.js';
import { MAIL_PROVIDERS } from '../src/providers/mail-provider.port.js';
import { SenderAccountsService } from '../src/providers/sender-accounts.service.js';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { startFakeGoogle, type FakeGoogle } from './support/fake-google.js';
import { startFakeMicrosoft, type FakeMicrosoft } from './support/fake-microsoft.js';
import { bounce, reply } from './support/inbound-mail.js';
import { createOrganization, storeMailbox } from './support/oauth-mailboxes.js';
import { fakeProviders } from './support/provider-config.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Records what it is given; `hold()` makes the next record wait until released. */
class RecordingSink implements InboundSink {
  readonly batches: { mailbox: InboundMailbox; mails: InboundMail[] }[] = [];
  private gate?: Promise<void>;
  private open?: () => void;
  entered?: Promise<void>;
  private signalEntered?: () => void;
  failNext = false;

  hold() {
    this.gate = new Promise((r) => (this.open = r));
    this.entered = new Promise((r) => (this.signalEntered = r));
  }
  release() {
    this.open?.();
    this.gate = undefined;
  }
  async record(mailbox: InboundMailbox, mails: InboundMail[]) {
    this.signalEntered?.();
    if (this.gate) await this.gate;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('sink is down');
    }
    this.batches.push({ mailbox, mails });
  }
  ids(email: string) {
    return this.batches
      .filter((b) => b.mailbox.email === email)
      .flatMap((b) => b.mails.map((m) => m.providerMessageId));
  }
}

/** The inbound poller over real Gmail and Graph adapters against the fakes, with real PostgreSQL. */
describe('inbound poller', () => {
  let google: FakeGoogle;
  let ms: FakeMicrosoft;
  let t: TestApp;
  let org: string;

  beforeAll(async () => {
    [google, ms] = await Promise.all([startFakeGoogle(), startFakeMicrosoft()]);
    t = await startTestApp(fakeProviders({ google, microsoft: ms }, { maxMessages: 2, leaseSeconds: 120 }));
    org = (await createOrganization(t)).id;
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([google.close(), ms.close()]);
  });

  /** A poller as another worker process would run it, with its own sink. */
  const poller = (sink: InboundSink) =>
    new InboundPollerService(
      t.app.get(PrismaService),
      t.app.get<MailProvider[]>(MAIL_PROVIDERS),
      t.app.get(SenderAccountsService),
      sink,
      t.config,
    );
  const row = (id: string) => t.prisma.db.senderAccount.findUniqueOrThrow({ where: { id } });
  const makeDue = () => t.prisma.db.senderAccount.updateMany({ data: { inboundPollAt: null } });
  const original = { messageId: '<sent.1@campaign-engine.test>', subject: 'Pricing' };

  it("hands inbound mail to delivery's sink in the app", () => {
    expect(t.app.get(INBOUND_SINK)).toBeInstanceOf(DeliveryInboundSink);
  });

  it('starts each mailbox at "now", then hands replies and bounces to the sink and stores the cursor', async () => {
    google.addUser('ada@example.com');
    ms.addUser('bob@contoso.example');
    const ada = await storeMailbox(t, org, 'GMAIL', 'ada@example.com', {
      refreshToken: google.issueRefreshToken('ada@example.com'),
    });
    const bob = await storeMailbox(t, org, 'MICROSOFT', 'bob@contoso.example', {
      refreshToken: ms.issueRefreshToken('bob@contoso.example'),
    });
    await storeMailbox(t, org, 'SANDBOX', 'sandbox@example.com', {}); // not polled: no fetchInbound
    const old = google.deliver('ada@example.com', reply('x@example.org', 'ada@example.com', original));

    const sink = new RecordingSink();
    const p = poller(sink);
    expect(await p.pollDue()).toBe(2);
    expect(sink.batches).toEqual([]);
    const [adaRow, bobRow] = [await row(ada.id), await row(bob.id)];
    expect(adaRow.inboundCursor).toBeTruthy();
    expect(bobRow.inboundCursor).toBeTruthy();
    expect(adaRow.inboundPollAt!.getTime()).toBeGreaterThan(Date.now() + 30_000);
    expect(adaRow.inboundLeaseToken).toBeNull();
    expect(await p.pollDue()).toBe(0); // not due again before the interval

    const r = google.deliver('ada@example.com', reply('x@example.org', 'ada@example.com', original));
    const b = ms.deliver('bob@contoso.example', bounce('bob@contoso.example', 'gone@example.org', original), {
      ndr: true,
    });
    await makeDue();
    expect(await p.pollDue()).toBe(2);
    expect(sink.ids('ada@example.com')).toEqual([r.id]);
    expect(sink.ids('bob@contoso.example')).toEqual([b.id]);
    expect(sink.ids('ada@example.com')).not.toContain(old.id);
    const adaBatch = sink.batches.find((x) => x.mailbox.email === 'ada@example.com')!;
    expect(adaBatch.mailbox).toEqual({
      id: ada.id,
      organizationId: org,
      email: 'ada@example.com',
      provider: 'GMAIL',
    });
    expect(adaBatch.mails[0].raw.equals(r.raw)).toBe(true);
    expect((await row(ada.id)).inboundCursor).not.toBe(adaRow.inboundCursor);

    await makeDue();
    await p.pollDue();
    expect(sink.batches).toHaveLength(2); // nothing new, nothing recorded twice
  });

  it('two pollers racing never poll one mailbox at once; the cursor is stored only after the sink resolves', async () => {
    const [ada] = await t.prisma.db.senderAccount.findMany({ where: { email: 'ada@example.com' } });
    const before = (await row(ada.id)).inboundCursor;
    const r = google.deliver('ada@example.com', reply('y@example.org', 'ada@example.com', original));
    await t.prisma.db.senderAccount.updateMany({
      where: { id: { not: ada.id } },
      data: { inboundPollAt: new Date(Date.now() + 3_600_000) },
    });
    await t.prisma.db.senderAccount.update({ where: { id: ada.id }, data: { inboundPollAt: null } });

    const slow = new RecordingSink();
    const fast = new RecordingSink();
    slow.hold();
    const first = poller(slow).pollDue();
    await slow.entered; // the first poller is inside record() for ada
    expect(await poller(fast).pollDue()).toBe(0);
    expect(fast.batches).toEqual([]);
    expect((await row(ada.id)).inboundCursor).toBe(before); // not stored while record() is pending
    expect((await row(ada.id)).inboundLeaseUntil).not.toBeNull();

    slow.release();
    expect(await first).toBe(1);
    expect(slow.ids('ada@example.com')).toEqual([r.id]);
    expect((await row(ada.id)).inboundCursor).not.toBe(before);

    // both at once from the start: exactly one takes it
    const again = google.deliver('ada@example.com', reply('z@example.org', 'ada@example.com', original));
    await t.prisma.db.senderAccount.update({ where: { id: ada.id }, data: { inboundPollAt: null } });
    const [a, b] = [new RecordingSink(), new RecordingSink()];
    const counts = await Promise.all([poller(a).pollDue(), poller(b).pollDue()]);
    expect(counts.sort()).toEqual([0, 1]);
    expect([...a.ids('ada@example.com'), ...b.ids('ada@example.com')]).toEqual([again.id]);
  });

  it('a failing sink leaves the cursor, so the same mail comes again; at most maxMessages per poll', async () => {
    const [ada] = await t.prisma.db.senderAccount.findMany({ where: { email: 'ada@example.com' } });
    await t.prisma.db.senderAccount.updateMany({
      where: { id: { not: ada.id } },
      data: { inboundPollAt: new Date(Date.now() + 3_600_000) },
    });
    const before = (await row(ada.id)).inboundCursor;
    const mails = [1, 2, 3].map((i) =>
      google.deliver('ada@example.com', reply(`p${i}@example.org`, 'ada@example.com', original)),
    );
    const sink = new RecordingSink();
    sink.failNext = true;
    await t.prisma.db.senderAccount.update({ where: { id: ada.id }, data: { inboundPollAt: null } });
    await poller(sink).pollDue();
    const failed = await row(ada.id);
    expect(failed.inboundCursor).toBe(before);
    expect(failed.inboundError).toContain('sink is down');
    expect(sink.batches).toEqual([]);

    await t.prisma.db.senderAccount.update({ where: { id: ada.id }, data: { inboundPollAt: null } });
    await poller(sink).pollDue();
    expect(sink.ids('ada@example.com')).toEqual([mails[0].id, mails[1].id]); // maxMessages = 2
    const partial = await row(ada.id);
    expect(partial.inboundError).toBeNull();
    expect(partial.inboundPollAt!.getTime()).toBeLessThanOrEqual(Date.now() + 1000); // more waiting: due again now
    await poller(sink).pollDue();
    expect(sink.ids('ada@example.com')).toEqual(mails.map((m) => m.id));
  });

  it('a revoked mailbox becomes DISCONNECTED with the reason and is no longer polled', async () => {
    const [bob] = await t.prisma.db.senderAccount.findMany({ where: { email: 'bob@contoso.example' } });
    await t.prisma.db.senderAccount.updateMany({
      where: { id: { not: bob.id } },
      data: { inboundPollAt: new Date(Date.now() + 3_600_000) },
    });
    ms.revoke('bob@contoso.example');
    await t.prisma.db.senderAccount.update({ where: { id: bob.id }, data: { inboundPollAt: null } });
    const p = poller(new RecordingSink());
    expect(await p.pollDue()).toBe(1);
    const after = await row(bob.id);
    expect(after.status).toBe('DISCONNECTED');
    expect(after.inboundError).toContain('invalid_grant');
    expect(after.lastError).toContain('invalid_grant');
    await t.prisma.db.senderAccount.update({ where: { id: bob.id }, data: { inboundPollAt: null } });
    expect(await p.pollDue()).toBe(0);
  });

  it('worker processes poll on their own schedule (the app with INBOUND_POLL on)', async () => {
    google.addUser('carl@example.com');
    const carl = await storeMailbox(t, org, 'GMAIL', 'carl@example.com', {
      refreshToken: google.issueRefreshToken('carl@example.com'),
    });
    const worker = await startTestApp(
      {
        ...fakeProviders({ google, microsoft: ms }, { enabled: true, intervalSeconds: 1 }),
        databaseUrl: t.config.databaseUrl,
      },
      'worker',
    );
    try {
      const deadline = Date.now() + 30_000;
      while (!(await row(carl.id)).inboundCursor && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
      const polled = await row(carl.id);
      expect(polled.inboundCursor).toBe(String(google.mailbox('carl@example.com').historyId));
      expect(polled.inboundPolledAt).not.toBeNull();
    } finally {
      await worker.close();
    }
  });
});
