import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { simpleParser, type ParsedMail } from 'mailparser';
import { AppModule } from '../src/app.module.js';
import { TemplateError } from '../src/common/templates/liquid-templates.js';
import type { ResolvedConfig } from '../src/config/config.js';
import { DeliveryService } from '../src/delivery/delivery.service.js';
import { TrackingLinks } from '../src/delivery/links/tracking-links.js';
import { ContentCache } from '../src/delivery/send/content-cache.js';
import { renderMessage, type RenderInput } from '../src/delivery/send/render-message.js';
import { Renderer } from '../src/delivery/send/renderer.js';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { testConfig } from './support/test-app.js';

/**
 * Rendering on threads (RENDER_THREADS): the same message as on the event loop (personalization,
 * attachments, tracked links stored in the database by the main thread), a template's refusal
 * with its reason, and a thread that dies costs only the renders it held.
 */
describe('render threads, against real PostgreSQL', () => {
  const apps: INestApplication[] = [];
  let organizationId: string;

  async function start(renderThreads: number, renderIdleMs = 600_000) {
    const base = await testConfig({ runnerTickMs: 600000 }, 'api');
    const config: ResolvedConfig = { ...base, delivery: { ...base.delivery, renderThreads, renderIdleMs } };
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(config)] }).compile();
    const app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.init();
    apps.push(app);
    const prisma = app.get(PrismaService);
    organizationId = (await prisma.db.organization.create({ data: { name: 'Render' } })).id;
    return { app, prisma, renderer: app.get(Renderer), delivery: app.get(DeliveryService) };
  }
  afterAll(() => Promise.all(apps.map((a) => a.close())));

  const pdf = Buffer.from('%PDF-1.4 render-thread attachment \u00e9', 'utf8');

  async function content(delivery: DeliveryService, prisma: PrismaService, htmlBody: string) {
    return prisma.transaction((tx) =>
      delivery.createContent(
        tx,
        {
          organizationId,
          subject: 'Hello {{ contact.firstName }} from {{ sender.email }}',
          htmlBody,
          textBody: null,
          fromName: 'Ada Sender',
          replyTo: null,
          trackOpens: true,
          trackClicks: true,
          variables: { campaign: { name: 'Launch' } },
        },
        [{ filename: 'terms.pdf', contentType: 'application/pdf', data: pdf }],
      ),
    );
  }

  const input = (contentId: string, n: number): RenderInput => ({
    id: randomUUID(),
    email: `person${n}@example.com`,
    contentId,
    messageId: `<m.${randomUUID()}@sender.example.com>`,
    inReplyTo: null,
    references: [],
    threadProviderId: null,
    contact: { firstName: `Person${n}`, lastName: null, company: `Co${n}`, timezone: null, attributes: {} },
  });
  const mailbox = { email: 'ada@sender.example.com' };

  /** What a reader sees of a message, without what differs between two builds (boundaries, date). */
  const seen = (mail: ParsedMail) => ({
    subject: mail.subject,
    from: mail.from?.text,
    to: (mail.to as { text: string }).text,
    messageId: mail.messageId,
    html: mail.html,
    text: mail.text,
    listUnsubscribe: mail.headers.get('list-unsubscribe'),
    attachments: mail.attachments.map((a) => ({
      name: a.filename,
      type: a.contentType,
      bytes: a.content.toString('hex'),
    })),
  });

  it('renders on a thread the very message the event loop renders, with links stored by the main thread', async () => {
    const { app, prisma, renderer, delivery } = await start(2);
    const html =
      '<p>Hi {{ contact.firstName }} at {{ contact.company }} ({{ campaign.name }})</p>' +
      '<a href="https://shop.example.com/p?c={{ contact.company }}">shop</a>';
    const contentId = await content(delivery, prisma, html);
    const messages = Array.from({ length: 20 }, (_, n) => input(contentId, n));

    const onThreads = await Promise.all(messages.map((m) => renderer.render(m, mailbox)));
    expect(renderer.threadCount).toBeGreaterThan(0);
    const onLoop = await Promise.all(
      messages.map((m) => renderMessage(m, mailbox, app.get(ContentCache), app.get(TrackingLinks))),
    );

    for (const [n, out] of onThreads.entries()) {
      expect(Buffer.isBuffer(out.raw)).toBe(true);
      const [threaded, looped] = await Promise.all([simpleParser(out.raw), simpleParser(onLoop[n].raw)]);
      expect(seen(threaded)).toEqual(seen(looped));
      expect(threaded.subject).toBe(`Hello Person${n} from ada@sender.example.com`);
      expect(threaded.attachments[0].content.equals(pdf)).toBe(true);
      // The tracked link names a link the main thread stored, and it leads to this contact's URL.
      const href = /href="([^"]*\/t\/c\/[^"]+)"/.exec(String(threaded.html))?.[1];
      const click = app.get(TrackingLinks).verifyClick(href!.split('/').pop()!);
      expect(click?.messageId).toBe(messages[n].id);
      const link = await prisma.db.trackedLink.findUniqueOrThrow({ where: { id: click!.linkId } });
      expect(link.url).toBe(`https://shop.example.com/p?c=Co${n}`);
    }
  });

  it('refuses a template that spends its budget with the same reason as on the event loop', async () => {
    const { app, prisma, renderer, delivery } = await start(1);
    const contentId = await content(
      delivery,
      prisma,
      '{% for i in (1..100000000) %}{{ contact.firstName }}{% endfor %}',
    );
    const m = input(contentId, 1);
    const onThread = await renderer.render(m, mailbox).catch((e: unknown) => e);
    const onLoop = await renderMessage(m, mailbox, app.get(ContentCache), app.get(TrackingLinks)).catch(
      (e: unknown) => e,
    );
    expect(onLoop).toBeInstanceOf(TemplateError);
    expect(onThread).toBeInstanceOf(TemplateError);
    expect(onThread).toMatchObject({ kind: 'limit', message: (onLoop as Error).message });
    expect(renderer.threadCount).toBe(1);
  });

  it('answers each of a run of renders on one thread to its own caller, refusals among them', async () => {
    const { prisma, renderer, delivery } = await start(1);
    const contentId = await content(
      delivery,
      prisma,
      '<p>{% for i in (1..contact.attributes.n) %}{{ contact.firstName }} {% endfor %}</p>',
    );
    // Every tenth contact's data makes the template spend its budget; the others render.
    const messages = Array.from({ length: 40 }, (_, n) => {
      const m = input(contentId, n);
      return { ...m, contact: { ...m.contact, attributes: { n: n % 10 === 3 ? 100_000_000 : 2 } } };
    });
    const outcomes = await Promise.allSettled(messages.map((m) => renderer.render(m, mailbox)));
    expect(renderer.threadCount).toBe(1);
    for (const [n, o] of outcomes.entries()) {
      if (n % 10 === 3) {
        expect(o.status).toBe('rejected');
        expect((o as PromiseRejectedResult).reason).toMatchObject({ kind: 'limit' });
        continue;
      }
      expect(o.status).toBe('fulfilled');
      const mail = await simpleParser((o as PromiseFulfilledResult<{ raw: Buffer }>).value.raw);
      expect(mail.to).toMatchObject({ text: `person${n}@example.com` });
      expect(mail.subject).toBe(`Hello Person${n} from ada@sender.example.com`);
      expect(String(mail.html)).toContain(`Person${n} Person${n} `);
    }
  });

  it('renders again, on a new thread, what a thread that dies was holding', async () => {
    const { prisma, renderer, delivery } = await start(1);
    const contentId = await content(delivery, prisma, '<p>Hi {{ contact.firstName }}</p>');
    await renderer.render(input(contentId, 0), mailbox); // the thread is up and has the content
    const inFlight = Array.from({ length: 300 }, (_, n) => renderer.render(input(contentId, n), mailbox));
    await new Promise((r) => setImmediate(r)); // these 300 have crossed to the thread
    // and these 20 are asked for in the very turn the thread stops (they never reach it)
    inFlight.push(
      ...Array.from({ length: 20 }, (_, n) => renderer.render(input(contentId, 300 + n), mailbox)),
    );
    // The thread dies (as from a fatal error in it) while it holds these renders.
    const threads = (renderer as unknown as { threads: { load: number; stop(): Promise<number> }[] }).threads;
    expect(threads[0].load).toBeGreaterThan(20);
    await threads[0].stop();
    const rendered = await Promise.all(inFlight);
    for (const [n, out] of rendered.entries()) {
      const mail = await simpleParser(out.raw);
      expect(mail.subject).toBe(`Hello Person${n} from ada@sender.example.com`);
    }
    expect(renderer.threadCount).toBe(1);
  });

  it('stops threads that have been idle for RENDER_THREAD_IDLE_MS, and starts one again for the next render', async () => {
    const { prisma, renderer, delivery } = await start(2, 300);
    const contentId = await content(delivery, prisma, '<p>Hi {{ contact.firstName }}</p>');
    await Promise.all(Array.from({ length: 40 }, (_, n) => renderer.render(input(contentId, n), mailbox)));
    expect(renderer.threadCount).toBe(2);
    while (renderer.threadCount > 0) await new Promise((r) => setTimeout(r, 50));
    const mail = await simpleParser((await renderer.render(input(contentId, 5), mailbox)).raw);
    expect(mail.subject).toBe('Hello Person5 from ada@sender.example.com');
    expect(renderer.threadCount).toBe(1);
  });

  it('renders on the event loop when its threads cannot start (a broken install), instead of failing every message', async () => {
    const { prisma, renderer, delivery } = await start(2);
    const contentId = await content(delivery, prisma, '<p>Hi {{ contact.firstName }}</p>');
    // Every thread's module fails to load, as after a broken install.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'render-thread-'));
    const broken = path.join(dir, 'broken.mjs');
    writeFileSync(broken, "throw new Error('Cannot find package nodemailer');\n");
    let spawned = 0;
    (renderer as unknown as { spawnThread: () => Worker }).spawnThread = () => {
      spawned++;
      return new Worker(pathToFileURL(broken));
    };
    const rendered = await Promise.all(
      Array.from({ length: 30 }, (_, n) => renderer.render(input(contentId, n), mailbox)),
    ).finally(() => rmSync(dir, { recursive: true, force: true }));
    for (const [n, out] of rendered.entries())
      expect((await simpleParser(out.raw)).subject).toBe(`Hello Person${n} from ada@sender.example.com`);
    // It gave threads up after three in a row that could not start (with two at a time, a fourth may
    // have been starting by then), and starts no more.
    expect(spawned).toBeGreaterThanOrEqual(3);
    expect(spawned).toBeLessThanOrEqual(4);
    const before = spawned;
    await renderer.render(input(contentId, 31), mailbox);
    expect(spawned).toBe(before);
    expect(renderer.threadCount).toBe(0);
  });

  it('renders on the event loop with RENDER_THREADS=0', async () => {
    const { prisma, renderer, delivery } = await start(0);
    const contentId = await content(delivery, prisma, '<p>Hi {{ contact.firstName }}</p>');
    const mail = await simpleParser((await renderer.render(input(contentId, 3), mailbox)).raw);
    expect(mail.subject).toBe('Hello Person3 from ada@sender.example.com');
    expect(renderer.threadCount).toBe(0);
  });
});
