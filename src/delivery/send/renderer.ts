import { Worker } from 'node:worker_threads';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { OutgoingMessage } from '../../providers/mail-provider.port.js';
import { TrackingLinks } from '../links/tracking-links.js';
import { ContentCache } from './content-cache.js';
import { renderMessage, type RenderInput } from './render-message.js';
import {
  fromWire,
  renderInputOf,
  type Ask,
  type FromThread,
  type RenderRequest,
  type ThreadInit,
  type ToThread,
} from './render-protocol.js';

export type { RenderInput } from './render-message.js';

interface Waiting {
  resolve: (out: OutgoingMessage) => void;
  reject: (e: Error) => void;
}

/** Threads that exit before they speak, in a row, before a process renders on its event loop. */
const START_FAILURES = 3;

/** A render thread stopped (it died, or the process is closing) before it answered. */
class RenderThreadLost extends Error {
  constructor(
    code: number,
    /** Whether it had started at all (a thread that could not start says nothing of the message). */
    readonly started: boolean,
  ) {
    super(`The render thread stopped (exit code ${code})`);
    this.name = 'RenderThreadLost';
  }
}

/**
 * The entry of a render thread. From compiled code it is `render-thread.js`; from TypeScript
 * sources (tests, `tsx`) the thread first registers tsx to load `render-thread.ts`.
 */
function spawn(init: ThreadInit): Worker {
  const own = import.meta.url;
  if (!own.endsWith('.ts')) return new Worker(new URL('./render-thread.js', own), { workerData: init });
  const entry = JSON.stringify(new URL('./render-thread.ts', own).href);
  return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${entry}); })`, {
    eval: true,
    workerData: init,
  });
}

/** One render thread and the renders it owes. */
class RenderThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private outbox: RenderRequest[] = [];
  private seq = 0;
  exited = false;
  /** It has spoken (its module loaded); one that exits before it did could not start. */
  private started = false;
  private stopping = false;
  /** When it last had work (performance.now()). */
  lastBusy = performance.now();

  constructor(
    spawnWorker: (init: ThreadInit) => Worker,
    init: ThreadInit,
    private readonly answer: (q: Ask) => Promise<unknown>,
    private readonly logger: Logger,
    onStart: (started: boolean) => void,
  ) {
    this.worker = spawnWorker(init);
    this.worker.unref();
    this.worker.on('message', (msg: FromThread) => {
      if (!this.started) onStart((this.started = true));
      this.receive(msg);
    });
    this.worker.on('error', (e) => this.logger.error(`render thread failed: ${e.message}`, e.stack));
    this.worker.on('exit', (code) => {
      if (!this.started && !this.stopping) onStart(false);
      this.exited = true;
      const error = new RenderThreadLost(code, this.started);
      for (const w of this.waiting.values()) w.reject(error);
      this.waiting.clear();
    });
  }

  get load() {
    return this.waiting.size;
  }

  get idleMs() {
    return this.load ? 0 : performance.now() - this.lastBusy;
  }

  /**
   * Renders asked for in one turn of the event loop (a chunk's, together) cross to the thread in
   * one message: each message posted costs both threads a serialization and a wake-up.
   */
  render(m: RenderInput, mailbox: { email: string }): Promise<OutgoingMessage> {
    return new Promise((resolve, reject) => {
      const id = ++this.seq;
      this.waiting.set(id, { resolve, reject });
      if (!this.outbox.length) queueMicrotask(() => this.flush());
      this.outbox.push({ id, m: renderInputOf(m), mailbox: { email: mailbox.email } });
    });
  }

  private flush() {
    const renders = this.outbox.splice(0);
    // A thread that stopped meanwhile has failed these renders already (its exit rejects what it owes).
    if (!this.exited) this.post({ t: 'render', renders });
  }

  /** Stops the thread; renders it still held fail (no new ones reach it). */
  stop() {
    this.exited = true;
    this.stopping = true;
    return this.worker.terminate();
  }

  private post(msg: ToThread) {
    this.worker.postMessage(msg);
  }

  private receive(msg: FromThread) {
    if (msg.t === 'ask') {
      this.answer(msg.q).then(
        (value) => this.post({ t: 'answer', id: msg.id, value }),
        (e: unknown) =>
          this.post({ t: 'answer', id: msg.id, error: e instanceof Error ? e.message : String(e) }),
      );
      return;
    }
    this.lastBusy = performance.now();
    for (const a of msg.answers) {
      const w = this.waiting.get(a.id);
      this.waiting.delete(a.id);
      if (!w) continue;
      if ('error' in a) w.reject(fromWire(a.error));
      else {
        const { raw } = a.out;
        w.resolve({ ...a.out, raw: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength) });
      }
    }
  }
}

/**
 * Renders messages (Liquid, MIME). With RENDER_THREADS > 0 (the default on a machine with more
 * than one core) the work runs on a pool of threads, so this process's event loop only moves
 * messages between the database, the queue and the providers, and a process uses more than one
 * core; each message goes to the least busy thread, and the renders of a thread that dies are
 * rendered again on a new one. With 0, on the event loop. Either way the same `renderMessage` runs over the same contents.
 */
@Injectable()
export class Renderer implements OnApplicationShutdown {
  private readonly logger = new Logger(Renderer.name);
  private readonly threads: RenderThread[] = [];
  private closed = false;
  private reaper?: NodeJS.Timeout;
  private loopTurn: Promise<unknown> = Promise.resolve();
  /** Threads that exited before they could speak, in a row; at START_FAILURES, rendering stays on the loop. */
  private failedStarts = 0;
  /** How a thread is started (tests start broken ones). */
  private readonly spawnThread = spawn;

  constructor(
    private readonly contents: ContentCache,
    private readonly links: TrackingLinks,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /**
   * `onLoop`: render on the event loop even with threads (a group's first message: the hops to a
   * thread and its fetch of the content would only delay it).
   */
  render(
    m: RenderInput,
    mailbox: { email: string },
    options: { onLoop?: boolean } = {},
  ): Promise<OutgoingMessage> {
    const onLoop = () => renderMessage(m, mailbox, this.contents, this.links);
    if (options.onLoop) return onLoop();
    // A thread that stops before answering costs the message neither an attempt nor time: once
    // more, on a new thread (on the event loop when the process is closing or threads cannot start).
    // A thread that could not start does not use that once up: after a few, rendering is on the loop.
    const attempt = (again: boolean): Promise<OutgoingMessage> =>
      !this.threadsUsable
        ? this.inTurn(onLoop)
        : this.thread()
            .render(m, mailbox)
            .catch((e: unknown) => {
              if (!(e instanceof RenderThreadLost) || (again && e.started && this.threadsUsable)) throw e;
              return attempt(again || e.started);
            });
    return attempt(false);
  }

  private get threadsUsable() {
    return this.config.delivery.renderThreads > 0 && !this.closed && this.failedStarts < START_FAILURES;
  }

  /**
   * A thread that cannot even start (its module fails to load: a broken install) would fail every
   * render, and each message would be retried until it failed for good. After START_FAILURES in a
   * row this process renders on its event loop, and says so once.
   */
  private started(ok: boolean) {
    if (ok) this.failedStarts = 0;
    else if (++this.failedStarts === START_FAILURES)
      this.logger.error(
        `render threads could not start ${START_FAILURES} times in a row: this process renders on its event loop from now on`,
      );
  }

  /**
   * Renders on the event loop one after another, as a render thread does (render-thread.ts): a
   * chunk's renders started together interleave and keep each other's garbage alive.
   */
  private inTurn(render: () => Promise<OutgoingMessage>): Promise<OutgoingMessage> {
    const out = this.loopTurn.then(render);
    this.loopTurn = out.catch(() => undefined);
    return out;
  }

  /** Live render threads (started on the first render, up to RENDER_THREADS). */
  get threadCount() {
    return this.threads.filter((t) => !t.exited).length;
  }

  /** The last phase of closing: the jobs in hand have finished by then (renders after it run on the loop). */
  async onApplicationShutdown() {
    this.closed = true;
    clearInterval(this.reaper);
    await Promise.all(this.threads.splice(0).map((t) => t.stop()));
  }

  /** Threads idle for RENDER_THREAD_IDLE_MS stop: a process that is not sending keeps no render heaps. */
  private reapIdle() {
    for (const t of this.threads)
      if (!t.exited && t.idleMs >= this.config.delivery.renderIdleMs) void t.stop();
    for (let i = this.threads.length - 1; i >= 0; i--) if (this.threads[i].exited) this.threads.splice(i, 1);
    if (!this.threads.length) {
      clearInterval(this.reaper);
      this.reaper = undefined;
    }
  }

  /** The least busy live thread, starting one while the pool is not full. */
  private thread(): RenderThread {
    for (let i = this.threads.length - 1; i >= 0; i--) if (this.threads[i].exited) this.threads.splice(i, 1);
    const idle = this.threads.find((t) => t.load === 0);
    if (idle) return idle;
    if (this.threads.length < this.config.delivery.renderThreads) {
      const t = new RenderThread(
        this.spawnThread,
        { publicUrl: this.config.publicUrl, secret: this.config.jwt.secret },
        (q) => this.answer(q),
        this.logger,
        (ok) => this.started(ok),
      );
      this.threads.push(t);
      this.reaper ??= setInterval(() => this.reapIdle(), Math.max(50, this.config.delivery.renderIdleMs / 4));
      this.reaper.unref();
      return t;
    }
    return this.threads.reduce((a, b) => (b.load < a.load ? b : a));
  }

  private answer(q: Ask): Promise<unknown> {
    return q.what === 'content'
      ? this.contents.store.load(q.contentId)
      : this.contents.store.storeLinks(q.contentId, q.urls);
  }
}
