import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { MailboxContext, OutgoingMessage, SendResult } from '../src/providers/mail-provider.port.js';
import { SandboxProvider } from '../src/providers/sandbox/sandbox.provider.js';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { testConfig } from './support/test-app.js';

/**
 * The sandbox is the provider the engine reconciles against after a crash: a batch sent again must
 * give back what was stored the first time (its id and thread), store nothing twice, and store the
 * rest of the batch.
 */
describe('the sandbox provider against real PostgreSQL', () => {
  let prisma: PrismaService;
  let sandbox: SandboxProvider;
  let mailbox: MailboxContext;

  beforeAll(async () => {
    prisma = new PrismaService(await testConfig({}, 'api'), new EventEmitter2());
    sandbox = new SandboxProvider(prisma);
    const org = await prisma.db.organization.create({ data: { name: 'Sandbox' } });
    const account = await prisma.db.senderAccount.create({
      data: { organizationId: org.id, provider: 'SANDBOX', email: 'me@sandbox.example.com' },
    });
    mailbox = { id: account.id, organizationId: org.id } as MailboxContext;
  });
  afterAll(() => prisma?.onApplicationShutdown());

  const message = (to: string, threadId?: string): OutgoingMessage => ({
    messageId: `<m.${randomUUID()}@sandbox.example.com>`,
    from: 'me@sandbox.example.com',
    to,
    subject: `Hello ${to}`,
    raw: Buffer.from(`Subject: Hello ${to}\r\n\r\nHi "${to}" \\ there`),
    threadId,
  });
  const stored = (messageId: string) =>
    prisma.db.sandboxMessage.findMany({ where: { senderAccountId: mailbox.id, messageId } });

  it('stores a batch once per Message-ID and answers messages stored before with what was stored', async () => {
    const earlier = message('b@example.com');
    const first = await sandbox.send(mailbox, earlier);
    const batch = [message('a@example.com', 'thread-a'), earlier, message('c@example.com')];

    const results = (await sandbox.sendMany(mailbox, batch)) as SendResult[];
    expect(results.every((r) => 'providerMessageId' in r)).toBe(true);
    expect(results[1]).toEqual(first);
    expect(results[0].providerThreadId).toBe('thread-a');
    for (const [k, m] of batch.entries()) {
      const rows = await stored(m.messageId);
      expect(rows).toHaveLength(1);
      expect(rows[0].id).toBe(results[k].providerMessageId);
      expect(rows[0].raw).toBe(m.raw.toString('utf8')); // quotes and backslashes kept as sent
    }

    // The whole batch again (a worker died after the provider call): the same answers, nothing new.
    const again = await sandbox.sendMany(mailbox, batch);
    expect(again).toEqual(results);
    expect(
      await prisma.db.sandboxMessage.count({
        where: { senderAccountId: mailbox.id, messageId: { in: batch.map((m) => m.messageId) } },
      }),
    ).toBe(3);
  });
});
