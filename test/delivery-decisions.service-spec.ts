import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../src/app.module.js';
import { DeliveryService } from '../src/delivery/delivery.service.js';
import { DispatchService } from '../src/delivery/dispatch/dispatch.service.js';
import { RecoveryService } from '../src/delivery/recovery/recovery.service.js';
import { BatchSender } from '../src/delivery/send/batch-sender.js';
import { PrismaService, type Tx } from '../src/prisma/prisma.service.js';
import {
  MailboxAuthError,
  MailboxQuotaError,
  PermanentMailError,
  TransientMailError,
  UnknownOutcomeMailError,
} from '../src/providers/mail-errors.js';
import type {
  MailboxContext,
  MailProvider,
  OutgoingMessage,
  SendResult,
} from '../src/providers/mail-provider.port.js';
import { SandboxProvider } from '../src/providers/sandbox/sandbox.provider.js';
import { ManualClock } from './support/manual-clock.js';
import { testConfig } from './support/test-app.js';

/**
 * The middle tier: the delivery pipeline's decision table (src/delivery/send/outcomes.ts) driven
 * through the real services against real PostgreSQL and Redis, without HTTP. A scripted provider
 * stands in for the mailbox's adapter; each case sends one message through the normal path
 * (reserve a slot, claim, hand-off, provider call, verdict, record) and checks what a user would
 * see: the message's state, its attempts and next attempt time, the mailbox's state, its daily
 * usage, and that the group's counters equal a count over the messages.
 */

type Script = (message: OutgoingMessage, signal?: AbortSignal) => Promise<SendResult>;

/** A provider whose answer to each recipient the test decides. */
class ScriptedProvider implements MailProvider {
  readonly type = 'SANDBOX' as const;
  canReconcile = true;
  reconcileLagMs = 0;
  readonly scripts = new Map<string, Script>();
  /** Message-IDs the provider "has" (what findSent finds). */
  readonly stored = new Set<string>();
  readonly calls: string[] = [];

  async verify() {}
  async send(_mailbox: MailboxContext, message: OutgoingMessage, options?: { signal?: AbortSignal }) {
    this.calls.push(message.to);
    const script = this.scripts.get(message.to);
    if (script) return script(message, options?.signal);
    this.stored.add(message.messageId);
    return { providerMessageId: `p-${message.messageId}` };
  }
  async findSent(_mailbox: MailboxContext, messageId: string) {
    return this.stored.has(messageId) ? { providerMessageId: `p-${messageId}` } : null;
  }
  async close() {}
}

describe('the delivery decision table, against real PostgreSQL', () => {
  let app: INestApplication;
  let prisma: PrismaService;
  let delivery: DeliveryService;
  let dispatch: DispatchService;
  let sender: BatchSender;
  let recovery: RecoveryService;
  let organizationId: string;
  const provider = new ScriptedProvider();
  // Frozen: next attempt times are exact functions of the decision, not of this machine's speed.
  const clock = new ManualClock('2030-03-04T10:00:00Z');
  const RETRY_BASE = 60_000;

  beforeAll(async () => {
    const config = await testConfig({ runnerTickMs: 600000 }, 'api');
    config.delivery = {
      ...config.delivery,
      retryBaseMs: RETRY_BASE,
      maxAttempts: 3,
      providerTimeoutMs: 1000,
    };
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(config, clock)] })
      .overrideProvider(SandboxProvider)
      .useValue(provider)
      .compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.init(); // no listen: nothing here goes through HTTP
    prisma = app.get(PrismaService);
    delivery = app.get(DeliveryService);
    dispatch = app.get(DispatchService);
    sender = app.get(BatchSender);
    recovery = app.get(RecoveryService);
    organizationId = (await prisma.db.organization.create({ data: { name: 'Decisions' } })).id;
  });
  afterAll(() => app?.close());

  /** Untracked content of one paragraph. */
  const createPlainContent = (tx: Tx, org: string, subject: string) =>
    delivery.createContent(tx, {
      organizationId: org,
      subject,
      htmlBody: '<p>Hi</p>',
      textBody: null,
      fromName: null,
      replyTo: null,
      trackOpens: false,
      trackClicks: false,
      variables: {},
    });

  /** One message handed over from a fresh mailbox in a fresh group, not yet sent. */
  async function handOverOne(
    to: string,
    options: { atLeastOnce?: boolean; maxAttempts?: number; attemptsBefore?: number } = {},
  ) {
    const mailbox = await prisma.db.senderAccount.create({
      data: {
        organizationId,
        provider: 'SANDBOX',
        email: `${randomUUID().slice(0, 8)}@sandbox.example.com`,
        dailyCap: 10,
        atLeastOnce: options.atLeastOnce ?? false,
      },
    });
    const groupId = randomUUID();
    const messageId = await prisma.transaction(async (tx) => {
      const contentId = await createPlainContent(
        tx,
        organizationId,
        'Hello {{ contact.firstName | default: "there" }}',
      );
      const group = { id: groupId, organizationId, sourceType: 'SEQUENCE' as const };
      await delivery.openGroup(tx, { ...group, maxAttempts: options.maxAttempts });
      const ids = await delivery.handOver(tx, group, [
        { sourceRef: randomUUID(), contactId: null, email: to, senderAccountId: mailbox.id, contentId },
      ]);
      return [...ids.values()][0];
    });
    if (options.attemptsBefore) {
      await prisma.db.outboundMessage.update({
        where: { id: messageId },
        data: { attempts: options.attemptsBefore },
      });
    }
    return { mailboxId: mailbox.id, groupId, messageId };
  }

  /** One message from a fresh mailbox in a fresh group, sent once through the pipeline. */
  async function sendOne(to: string, options: Parameters<typeof handOverOne>[1] = {}) {
    const { mailboxId, groupId, messageId } = await handOverOne(to, options);
    await sender.process(await dispatch.claimNow(messageId));
    return { mailboxId, groupId, messageId, ...(await observe(mailboxId, groupId, messageId)) };
  }

  async function observe(mailboxId: string, groupId: string, messageId: string) {
    const message = await prisma.db.outboundMessage.findUniqueOrThrow({ where: { id: messageId } });
    const mailbox = await prisma.db.senderAccount.findUniqueOrThrow({ where: { id: mailboxId } });
    const usage = await prisma.db.senderDailyUsage.findMany({ where: { senderAccountId: mailboxId } });
    await expectCountersTrue(groupId);
    return { message, mailbox, usedToday: usage.reduce((n, u) => n + u.sent, 0) };
  }

  /** The trigger-kept counters say exactly what a count over the messages says. */
  async function expectCountersTrue(groupId: string) {
    const stats = await delivery.stats(groupId);
    const rows = await prisma.db.outboundMessage.groupBy({
      by: ['status'],
      where: { groupId },
      _count: true,
    });
    const count = (s: string) => rows.find((r) => r.status === s)?._count ?? 0;
    expect({
      total: stats.total,
      pending: stats.pending + stats.queued,
      sending: stats.sending,
      sent: stats.sent,
      failed: stats.failed,
      cancelled: stats.cancelled,
      skipped: stats.skipped,
    }).toEqual({
      total: rows.reduce((n, r) => n + r._count, 0),
      pending: count('PENDING') + count('QUEUED'),
      sending: count('SENDING'),
      sent: count('SENT'),
      failed: count('FAILED'),
      cancelled: count('CANCELLED'),
      skipped: count('SKIPPED'),
    });
  }

  const now = () => clock.now().getTime();
  const fail =
    (error: Error): Script =>
    () =>
      Promise.reject(error);

  beforeEach(() => {
    provider.canReconcile = true;
    provider.reconcileLagMs = 0;
  });

  it('accepted: SENT, one attempt, the slot used', async () => {
    const r = await sendOne('fine@example.com');
    expect(r.message).toMatchObject({ status: 'SENT', attempts: 1, failureKind: null, nextAttemptAt: null });
    expect(r.message.sentAt).not.toBeNull();
    expect(r.message.providerMessageId).toBe(`p-${r.message.messageId}`);
    expect(r.usedToday).toBe(1);
  });

  it('bad recipient (permanent): FAILED with the reason, not retried, the slot given back', async () => {
    provider.scripts.set('gone@example.com', fail(new PermanentMailError('550 5.1.1 user unknown')));
    const r = await sendOne('gone@example.com');
    expect(r.message).toMatchObject({
      status: 'FAILED',
      failureKind: 'PERMANENT',
      attempts: 1,
      nextAttemptAt: null,
      lastError: '550 5.1.1 user unknown',
    });
    expect(r.mailbox).toMatchObject({ status: 'ACTIVE', pausedUntil: null });
    expect(r.usedToday).toBe(0);
  });

  it('transient 5xx: PENDING again after the backoff (base ±20 %), the attempt counted', async () => {
    provider.scripts.set('busy@example.com', fail(new TransientMailError('503 service unavailable')));
    const r = await sendOne('busy@example.com');
    expect(r.message).toMatchObject({ status: 'PENDING', attempts: 1, failureKind: null });
    expect(r.message.lastError).toBe('503 service unavailable');
    const wait = r.message.nextAttemptAt!.getTime() - now();
    expect(wait).toBeGreaterThanOrEqual(0.8 * RETRY_BASE - 1);
    expect(wait).toBeLessThanOrEqual(1.2 * RETRY_BASE + 1);
    expect(r.mailbox).toMatchObject({ status: 'ACTIVE', pausedUntil: null });
    expect(r.usedToday).toBe(0);
  });

  it('rate limited with Retry-After (longer than the backoff): PENDING until Retry-After, the mailbox paused as long', async () => {
    provider.scripts.set(
      'limited@example.com',
      fail(new TransientMailError('429 slow down', 10 * RETRY_BASE)),
    );
    const r = await sendOne('limited@example.com');
    expect(r.message).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(r.message.nextAttemptAt!.getTime()).toBe(now() + 10 * RETRY_BASE);
    // The provider's limit is the mailbox's: its other messages wait as long (Gmail, Graph throttle per mailbox).
    expect(r.mailbox.status).toBe('ACTIVE');
    expect(r.mailbox.pausedUntil!.getTime()).toBe(now() + 10 * RETRY_BASE);
  });

  it('transient on the last attempt: FAILED EXHAUSTED with the count', async () => {
    provider.scripts.set('flaky@example.com', fail(new TransientMailError('451 try later')));
    const r = await sendOne('flaky@example.com', { maxAttempts: 3, attemptsBefore: 2 });
    expect(r.message).toMatchObject({
      status: 'FAILED',
      failureKind: 'EXHAUSTED',
      attempts: 3,
      nextAttemptAt: null,
    });
    expect(r.message.lastError).toBe('451 try later (gave up after 3 attempts)');
    expect(r.usedToday).toBe(0);
  });

  it('an unexpected error (not a MailError): retried like a transient one, its details masked', async () => {
    provider.scripts.set('bug@example.com', fail(new TypeError('cannot read properties of undefined')));
    const r = await sendOne('bug@example.com');
    expect(r.message).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(r.message.lastError).toBe('Internal error while sending (see the server log)');
  });

  it('mailbox auth refused: the message waits (attempt not counted), the mailbox is DISCONNECTED', async () => {
    provider.scripts.set('auth@example.com', fail(new MailboxAuthError('535 authentication failed')));
    const r = await sendOne('auth@example.com');
    expect(r.message).toMatchObject({
      status: 'PENDING',
      attempts: 0,
      nextAttemptAt: null,
      failureKind: null,
    });
    expect(r.message.lastError).toMatch(/Waiting for the mailbox: 535 authentication failed/);
    expect(r.mailbox.status).toBe('DISCONNECTED');
    expect(r.mailbox.lastError).toMatch(/535/);
    expect(r.usedToday).toBe(0);
  });

  it('mailbox quota spent (with Retry-After): the message is deferred to then, the mailbox paused until then', async () => {
    provider.scripts.set(
      'quota@example.com',
      fail(new MailboxQuotaError('daily limit exceeded', 3_600_000 * 5)),
    );
    const r = await sendOne('quota@example.com');
    const until = now() + 3_600_000 * 5;
    expect(r.message).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(r.message.nextAttemptAt!.getTime()).toBe(until);
    expect(r.mailbox.status).toBe('ACTIVE');
    expect(r.mailbox.pausedUntil!.getTime()).toBe(until);
    expect(r.usedToday).toBe(0);
  });

  it('unknown outcome after hand-off, provider can be asked and has it: SENT, not resent', async () => {
    provider.scripts.set('lost-reply@example.com', (m) => {
      provider.stored.add(m.messageId); // it went out; the answer was lost
      return Promise.reject(new UnknownOutcomeMailError('connection reset after DATA'));
    });
    const r = await sendOne('lost-reply@example.com');
    expect(r.message).toMatchObject({ status: 'SENT', attempts: 1 });
    expect(provider.calls.filter((c) => c === 'lost-reply@example.com')).toHaveLength(1);
  });

  it('unknown outcome, provider can be asked and certainly has nothing: retried', async () => {
    provider.scripts.set('never-arrived@example.com', fail(new UnknownOutcomeMailError('connection reset')));
    const r = await sendOne('never-arrived@example.com');
    expect(r.message).toMatchObject({ status: 'PENDING', attempts: 1, failureKind: null });
    expect(r.message.nextAttemptAt!.getTime()).toBeGreaterThan(now());
  });

  it('unknown outcome, provider search lags: stays SENDING for reconciliation, then recovery settles it', async () => {
    provider.reconcileLagMs = 60_000;
    provider.scripts.set('lagging@example.com', (m) => {
      provider.stored.add(m.messageId);
      return Promise.reject(new UnknownOutcomeMailError('timeout'));
    });
    // findSent does not see it yet (index lag): hide it for the first lookup.
    const { stored } = provider;
    const realHas = stored.has.bind(stored);
    let hidden = true;
    stored.has = (id: string) => (hidden ? false : realHas(id));
    try {
      const r = await sendOne('lagging@example.com');
      expect(r.message).toMatchObject({ status: 'SENDING', workerId: null, attempts: 1 });
      expect(r.message.handoffAt).not.toBeNull();
      expect(r.usedToday).toBe(1); // maybe sent: the slot stays used
      hidden = false;
      await recovery.sweep();
      const after = await observe(r.mailboxId, r.groupId, r.messageId);
      expect(after.message).toMatchObject({ status: 'SENT', attempts: 1 });
    } finally {
      stored.has = realHas;
    }
  });

  it('timeout (the provider never answers) on a mailbox that cannot be asked, at most once: FAILED UNKNOWN_OUTCOME', async () => {
    provider.canReconcile = false;
    provider.scripts.set(
      'blackhole@example.com',
      (_m, signal) =>
        new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')))),
    );
    const r = await sendOne('blackhole@example.com');
    expect(r.message).toMatchObject({ status: 'FAILED', failureKind: 'UNKNOWN_OUTCOME', attempts: 1 });
    expect(r.message.lastError).toMatch(/did not answer within 1 s.*at most once/);
    expect(r.usedToday).toBe(1); // it may have gone out: the slot stays used
    // And retryFailedRecipients would not resend it.
    const requeued = await prisma.transaction((tx) => delivery.retryFailed(tx, r.groupId));
    expect(requeued).toBe(0);
  });

  it('unknown outcome on a mailbox that cannot be asked but opted into at-least-once: retried', async () => {
    provider.canReconcile = false;
    provider.scripts.set('twice-ok@example.com', fail(new UnknownOutcomeMailError('connection dropped')));
    const r = await sendOne('twice-ok@example.com', { atLeastOnce: true });
    expect(r.message).toMatchObject({ status: 'PENDING', attempts: 1, failureKind: null });
    expect(r.message.nextAttemptAt!.getTime()).toBeGreaterThan(now());
  });

  it('a suppressed address is never sent: SKIPPED, slot given back, provider not called', async () => {
    await prisma.db.suppression.create({
      data: { organizationId, email: 'late-optout@example.com', reason: 'UNSUBSCRIBED' },
    });
    // Handed over before the suppression is seen: simulate by suppressing after hand-over.
    const { mailboxId, groupId, messageId } = await handOverOne('other@example.com');
    await prisma.db.outboundMessage.update({
      where: { id: messageId },
      data: { email: 'late-optout@example.com' },
    });
    await sender.process(await dispatch.claimNow(messageId));
    const r = await observe(mailboxId, groupId, messageId);
    expect(r.message.status).toBe('SKIPPED');
    expect(r.usedToday).toBe(0);
    expect(provider.calls).not.toContain('late-optout@example.com');
  });

  describe('references without foreign keys (docs/adr/009)', () => {
    const content = (org: string) => prisma.transaction((tx) => createPlainContent(tx, org, 'Hi'));
    const spec = (contentId: string, senderAccountId: string, contactId: string | null = null) => ({
      sourceRef: randomUUID(),
      contactId,
      email: `${randomUUID().slice(0, 8)}@example.com`,
      senderAccountId,
      contentId,
    });

    it("refuses a hand-over to a group that is not open for the organization, or naming another organization's content, and keeps nothing", async () => {
      const other = (await prisma.db.organization.create({ data: { name: 'Other' } })).id;
      const { mailboxId, groupId } = await handOverOne('refs@example.com');
      const ours = await content(organizationId);
      const theirs = await content(other);
      const theirGroup = randomUUID();
      await prisma.transaction((tx) =>
        delivery.openGroup(tx, { id: theirGroup, organizationId: other, sourceType: 'SEQUENCE' }),
      );
      const attempts = [
        { group: { id: theirGroup, organizationId, sourceType: 'SEQUENCE' as const }, contentId: ours },
        { group: { id: randomUUID(), organizationId, sourceType: 'SEQUENCE' as const }, contentId: ours },
        { group: { id: groupId, organizationId, sourceType: 'TEST' as const }, contentId: ours },
        { group: { id: groupId, organizationId, sourceType: 'SEQUENCE' as const }, contentId: theirs },
      ];
      for (const a of attempts) {
        await expect(
          prisma.transaction((tx) => delivery.handOver(tx, a.group, [spec(a.contentId, mailboxId)])),
        ).rejects.toThrow(/Hand-over to group/);
      }
      expect(await prisma.db.outboundMessage.count({ where: { groupId: theirGroup } })).toBe(0);
      expect(await prisma.db.outboundMessage.count({ where: { groupId } })).toBe(1);
      await expectCountersTrue(groupId);
    });

    it('a hand-over holds its group: a pause waits for it to commit', async () => {
      const { mailboxId, groupId } = await handOverOne('held@example.com');
      const contentId = await content(organizationId);
      let commit!: () => void;
      const committed = new Promise<void>((resolve) => (commit = resolve));
      let handedOver!: () => void;
      const inside = new Promise<void>((resolve) => (handedOver = resolve));
      const handOver = prisma.transaction(async (tx) => {
        await delivery.handOver(tx, { id: groupId, organizationId, sourceType: 'SEQUENCE' }, [
          spec(contentId, mailboxId),
        ]);
        handedOver();
        await committed;
      });
      await inside;
      let paused = false;
      const pause = prisma.transaction((tx) => delivery.pause(tx, groupId)).then(() => (paused = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(paused).toBe(false); // waiting on the hand-over's KEY SHARE of the group row
      commit();
      await Promise.all([handOver, pause]);
      expect((await delivery.group(groupId))?.state).toBe('PAUSED');
      expect(await prisma.db.outboundMessage.count({ where: { groupId } })).toBe(2);
    });

    it("deleting a contact deletes its messages, a mailbox is cleared from its messages, a group's messages go with it", async () => {
      const { mailboxId, groupId, messageId } = await handOverOne('kept@example.com');
      const contentId = await content(organizationId);
      const contact = await prisma.db.contact.create({
        data: { organizationId, email: `${randomUUID().slice(0, 8)}@example.com` },
      });
      const ids = await prisma.transaction((tx) =>
        delivery.handOver(tx, { id: groupId, organizationId, sourceType: 'SEQUENCE' }, [
          spec(contentId, mailboxId, contact.id),
        ]),
      );
      const [contactMessage] = [...ids.values()];
      await prisma.db.contact.delete({ where: { id: contact.id } });
      expect(await prisma.db.outboundMessage.findUnique({ where: { id: contactMessage } })).toBeNull();
      expect(await prisma.db.outboundMessage.count({ where: { groupId } })).toBe(1);
      await expectCountersTrue(groupId);

      await prisma.db.senderAccount.delete({ where: { id: mailboxId } });
      const kept = await prisma.db.outboundMessage.findUniqueOrThrow({ where: { id: messageId } });
      expect(kept.senderAccountId).toBeNull();

      // One message sent, one waiting: the group's delete finds both (they sit in different indexes).
      await prisma.db.outboundMessage.update({ where: { id: messageId }, data: { status: 'SENT' } });
      await prisma.transaction((tx) =>
        delivery.handOver(tx, { id: groupId, organizationId, sourceType: 'SEQUENCE' }, [
          spec(contentId, mailboxId),
        ]),
      );
      expect(
        (await prisma.db.outboundMessage.findMany({ where: { groupId }, select: { status: true } }))
          .map((m) => m.status)
          .sort(),
      ).toEqual(['PENDING', 'SENT']);
      await prisma.db.deliveryGroup.delete({ where: { id: groupId } });
      expect(await prisma.db.outboundMessage.count({ where: { groupId } })).toBe(0);
      expect(await prisma.db.deliveryCounter.count({ where: { groupId } })).toBe(0);
    });
  });
});
