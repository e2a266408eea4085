import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../../common/clock/clock.js';
import { DomainError } from '../../common/errors/domain-error.js';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { withDbRetry } from '../../prisma/db-retry.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { MailboxAuthError, MailError, UnknownOutcomeMailError } from '../../providers/mail-errors.js';
import type { MailProvider, OutgoingMessage } from '../../providers/mail-provider.port.js';
import { ProviderRegistry } from '../../providers/provider-registry.js';
import { SenderAccountsService, type LoadedMailbox } from '../../providers/sender-accounts.service.js';
import { DB_NOW } from '../ledger/db-time.js';
import type { SendJob } from '../queues.js';
import { WorkerLease } from '../worker/worker-lease.js';
import { gatedHandoff, isStopped, markHandoff } from './handoff.js';
import { MailboxActions } from './mailbox-actions.js';
import { OutcomeRecorder, type HeldMessage, type Settlement } from './outcome-recorder.js';
import { describe, judgeFailure, retryOrGiveUp, type FailureContext, type Verdict } from './outcomes.js';
import { Renderer, type RenderInput } from './renderer.js';
import { inSendingWindow } from './sending-window.js';
import { dropReservations } from '../ledger/reservations.js';
import { Prisma } from '../../generated/prisma/client.js';

type Claimed = HeldMessage &
  RenderInput & {
    senderAccountId: string;
    attempts: number;
    maxAttempts: number | null;
    suppressed: boolean;
  };

interface Run {
  mailbox: LoadedMailbox;
  provider: MailProvider;
  settled: Settlement[];
  /** Set when the mailbox became unusable: the rest of the batch is released. */
  stop?: string;
}

/** A gap wait this short is waited out in the job; a longer one releases the message to dispatch. */
const MAX_GAP_WAIT_MS = 2000;
/**
 * Messages handed to a batch-capable provider (the sandbox) per call, and recorded together. The
 * first job of a group in this process sends its first message alone, so the first send is fast.
 */
const FIRST_CHUNK = 1;
const CHUNK = 100;
/** Groups this process has sent for (bounded: forgetting one only costs one small first chunk). */
const STARTED_GROUPS = 1000;

/**
 * Sends one claim: a batch of messages of one group from one mailbox. Claims them (QUEUED →
 * SENDING under this worker's lease), renders each, marks the hand-off before every provider call
 * (only while the group is ACTIVE; through the mailbox's gap gate when it has a minimum gap), calls
 * the provider with an overall timeout, judges failures through the decision table and records the
 * verdicts in batches. A message in doubt is reconciled with the provider, never resent blindly.
 */
@Injectable()
export class BatchSender implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(BatchSender.name);
  /** The messages this process is working on right now. */
  private readonly held = new Set<string>();
  private readonly startedGroups = new Set<string>();
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: Clock,
    private readonly lease: WorkerLease,
    private readonly mailboxes: SenderAccountsService,
    private readonly registry: ProviderRegistry,
    private readonly renderer: Renderer,
    private readonly recorder: OutcomeRecorder,
    private readonly actions: MailboxActions,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  onModuleInit() {
    this.sweeper = setInterval(
      () => void this.orphanLeftovers(),
      Math.max(500, this.config.delivery.stuckMs / 2),
    );
    this.sweeper.unref();
  }

  onModuleDestroy() {
    clearInterval(this.sweeper);
  }

  /**
   * Messages claimed by this process that it no longer works on (a batch failed and could not even
   * release them) would otherwise sit under a live lease forever: hand them to recovery.
   */
  async orphanLeftovers() {
    try {
      await this.prisma.db.$executeRaw`
        UPDATE "OutboundMessage" SET "workerId" = NULL, "updatedAt" = ${DB_NOW}
        WHERE "workerId" = ${this.lease.id}::uuid AND status = 'SENDING' AND "sendingAt" < ${DB_NOW} - interval '5 seconds'
          AND NOT (id = ANY(${[...this.held]}::uuid[]))`;
    } catch (e) {
      this.logger.warn(`leftover check failed: ${String(e)}`);
    }
  }

  /** `oneOff`: a test email, which ignores the sending window and the gap (it still uses the cap). */
  async process(job: SendJob, options: { oneOff?: boolean } = {}): Promise<Settlement[]> {
    const run = await this.open(job, options);
    if (!run) {
      await withDbRetry(() =>
        this.prisma.sql.transaction((tx) =>
          dropReservations(tx, Prisma.sql`token = ${job.claimToken}::uuid`),
        ),
      );
      return [];
    }
    // A provider that takes a whole batch and can be asked afterwards is handed the batch at claim.
    const batch =
      !!run.provider.sendMany &&
      run.provider.canReconcile &&
      (run.mailbox.minGapSeconds === 0 || !!options.oneOff);
    const claimed = await withDbRetry(() => this.claim(job, batch));
    if (!claimed.length) return [];
    for (const m of claimed) this.held.add(m.id);
    const settled: Settlement[] = [];
    try {
      const suppressed = claimed.filter((m) => m.suppressed);
      settled.push(
        ...(await this.recorder.record(
          suppressed.map((m) => ({
            message: m,
            verdict: { type: 'skipped', reason: 'Address is on the suppression list' },
          })),
        )),
      );
      const todo = claimed.filter((m) => !m.suppressed);
      if (batch) await this.sendInChunks(run, job, todo);
      else await this.sendEach(run, job, todo, options);
      settled.push(...run.settled);
    } catch (e) {
      // Something unexpected: whatever this worker still holds goes back, to be tried again.
      this.logger.error(`send batch ${job.claimToken} failed: ${String(e)}`, (e as Error).stack);
      const done = new Set(settled.map((s) => s.message.id));
      await this.recorder
        .record(
          claimed
            .filter((m) => !done.has(m.id))
            .map((message) => ({ message, verdict: { type: 'release', uncount: true } as const })),
        )
        .catch((err: unknown) =>
          this.logger.error(`could not release batch ${job.claimToken}: ${String(err)}`),
        );
      throw e;
    } finally {
      for (const m of claimed) this.held.delete(m.id);
    }
    return settled;
  }

  /**
   * Renders a message again to say why its templates failed (throws the TemplateError): for a
   * send the caller is waiting on, the precise reason (the tag refused, the budget spent) matters.
   */
  async explainTemplateFailure(messageId: string): Promise<void> {
    const [m] = await this.prisma.db.$queryRaw<(RenderInput & RenderInput['contact'] & { sender: string })[]>`
      SELECT m.id, m.email, m."contentId", m."messageId", m."inReplyTo", m."references", m."threadProviderId",
             s.email AS sender,
             COALESCE(ct."firstName", m."contactData"->>'firstName') AS "firstName",
             COALESCE(ct."lastName", m."contactData"->>'lastName') AS "lastName",
             COALESCE(ct.company, m."contactData"->>'company') AS company,
             COALESCE(ct.timezone, m."contactData"->>'timezone') AS timezone,
             COALESCE(ct.attributes, m."contactData"->'attributes', '{}'::jsonb) AS attributes
      FROM "OutboundMessage" m JOIN "SenderAccount" s ON s.id = m."senderAccountId"
      LEFT JOIN "Contact" ct ON ct.id = m."contactId"
      WHERE m.id = ${messageId}::uuid`;
    if (!m) return;
    await this.renderer.render(
      { ...m, messageId: m.messageId || '<preview@campaign-engine.local>', contact: m },
      { email: m.sender },
    );
  }

  /**
   * Takes the job's reservation and claims up to its count of due messages (PENDING → SENDING under
   * this worker, FOR UPDATE SKIP LOCKED), in one transaction; unused capacity goes back to the day's
   * counter. The Message-ID is fixed now, before any provider call; with `handoff` the batch is
   * also marked handed off (an attempt counted). A job whose reservation is gone (dropped by pause
   * or recovery, or a duplicate job) claims nothing.
   */
  private claim(job: SendJob, handoff: boolean): Promise<Claimed[]> {
    return this.prisma.sql.transaction(async (tx) => {
      const [group] = await tx.$queryRaw<{ state: string }[]>`
        SELECT state FROM "DeliveryGroup" WHERE id = ${job.groupId}::uuid FOR KEY SHARE`;
      const [reservation] = await tx.$queryRaw<{ count: number; day: string }[]>`
        DELETE FROM "DeliveryReservation" WHERE token = ${job.claimToken}::uuid RETURNING count, day`;
      if (!reservation) return [];
      const picked =
        group?.state === 'ACTIVE'
          ? await tx.$queryRaw<{ id: string; suppressed: boolean }[]>`
              SELECT m.id, EXISTS (SELECT 1 FROM "Suppression" x WHERE x."organizationId" = m."organizationId" AND x.email = m.email) AS suppressed
              FROM "OutboundMessage" m
              WHERE m."groupId" = ${job.groupId}::uuid AND m."senderAccountId" = ${job.senderAccountId}::uuid
                AND m.status = 'PENDING' AND (${job.messageId ?? null}::uuid IS NULL OR m.id = ${job.messageId ?? null}::uuid)
                AND (m."nextAttemptAt" IS NULL OR m."nextAttemptAt" <= ${this.clock.now()})
              ORDER BY m."createdAt", m.id
              LIMIT ${reservation.count}
              FOR UPDATE OF m SKIP LOCKED`
          : [];
      const unused = reservation.count - picked.filter((p) => !p.suppressed).length;
      if (unused > 0) {
        await tx.$executeRaw`
          UPDATE "SenderDailyUsage" SET sent = GREATEST(sent - ${unused}, 0)
          WHERE "senderAccountId" = ${job.senderAccountId}::uuid AND day = ${reservation.day}::date`;
      }
      if (!picked.length) return [];
      const rows = await tx.$queryRaw<(Omit<Claimed, 'contact'> & Claimed['contact'])[]>`
        WITH c AS (
          UPDATE "OutboundMessage" m SET
            status = (CASE WHEN u.skip THEN 'SKIPPED' ELSE 'SENDING' END)::"RecipientStatus",
            "lastError" = CASE WHEN u.skip THEN 'Address is on the suppression list' ELSE m."lastError" END,
            "workerId" = CASE WHEN u.skip THEN NULL ELSE ${this.lease.id}::uuid END,
            "reservedDay" = CASE WHEN u.skip THEN NULL ELSE ${reservation.day}::date END,
            "sendingAt" = ${DB_NOW}, "updatedAt" = ${DB_NOW},
            "handoffAt" = CASE WHEN ${handoff} AND NOT u.skip THEN ${DB_NOW} END,
            attempts = m.attempts + (CASE WHEN ${handoff} AND NOT u.skip THEN 1 ELSE 0 END),
            "messageId" = COALESCE(m."messageId", '<m.' || m.id || '@' || split_part(s.email, '@', 2) || '>')
          FROM unnest(${picked.map((p) => p.id)}::uuid[], ${picked.map((p) => p.suppressed)}::bool[]) AS u(id, skip),
               "SenderAccount" s
          WHERE m.id = u.id AND s.id = m."senderAccountId"
          RETURNING m.*
        )
        SELECT c.id, c."organizationId", c."groupId", c."sourceType"::text AS "sourceType", c."sourceRef", c."contactId",
               c.email, c."contentId", c."senderAccountId", c.attempts, c."messageId", c."workerId", c."inReplyTo",
               c."references", c."threadProviderId", g."maxAttempts",
               COALESCE(ct."firstName", c."contactData"->>'firstName') AS "firstName",
               COALESCE(ct."lastName", c."contactData"->>'lastName') AS "lastName",
               COALESCE(ct.company, c."contactData"->>'company') AS company,
               COALESCE(ct.timezone, c."contactData"->>'timezone') AS timezone,
               COALESCE(ct.attributes, c."contactData"->'attributes', '{}'::jsonb) AS attributes
        FROM c JOIN "DeliveryGroup" g ON g.id = c."groupId" LEFT JOIN "Contact" ct ON ct.id = c."contactId"
        WHERE c.status = 'SENDING'`;
      // Handed off at claim: the attempt is this one (the verdicts count from it).
      return rows.map((r) => ({
        ...r,
        attempts: handoff ? r.attempts - 1 : r.attempts,
        suppressed: false,
        sourceType: r.sourceType,
        contact: {
          firstName: r.firstName,
          lastName: r.lastName,
          company: r.company,
          timezone: r.timezone,
          attributes: r.attributes,
        },
      }));
    });
  }

  /** The mailbox and its adapter, or null when it cannot send now (the reservation is then dropped). */
  private async open(job: SendJob, options: { oneOff?: boolean }): Promise<Run | null> {
    let mailbox: LoadedMailbox;
    try {
      mailbox = await this.mailboxes.loadMailbox(job.organizationId, job.senderAccountId);
    } catch (e) {
      if (e instanceof MailboxAuthError) {
        await this.actions.apply(job.organizationId, job.senderAccountId, {
          type: 'disconnect',
          reason: e.message,
        });
      } else if (!(e instanceof DomainError)) throw e;
      return null;
    }
    if (mailbox.status !== 'ACTIVE') return null;
    // Paused by its provider (Retry-After, quota) after this job was queued: dispatch claims it again later.
    if (!options.oneOff && mailbox.pausedUntil && mailbox.pausedUntil > this.clock.now()) return null;
    if (!options.oneOff && !inSendingWindow(mailbox, this.clock.now())) return null;
    return { mailbox, provider: this.registry.get(mailbox.provider), settled: [] };
  }

  /**
   * Batch-capable providers (handed off at claim): render a chunk, check the group is still ACTIVE
   * (KEY SHARE: pause and cancel wait for it), send the chunk in one call, record it. The first
   * chunk is small, so the first message goes out fast.
   */
  private async sendInChunks(run: Run, job: SendJob, todo: Claimed[]) {
    const first = this.startedGroups.has(job.groupId) ? CHUNK : FIRST_CHUNK;
    this.startedGroups.add(job.groupId);
    if (this.startedGroups.size > STARTED_GROUPS) this.startedGroups.clear();
    const chunks: Claimed[][] = [];
    for (let i = 0, size = first; i < todo.length; i += size, size = CHUNK)
      chunks.push(todo.slice(i, i + size));
    // A chunk renders (on the render threads) while the one before it is sent and recorded.
    // A group's first message renders on the event loop, so it goes out without the thread hops.
    const render = (chunk: Claimed[]) =>
      Promise.allSettled(
        chunk.map((m) =>
          this.renderer.render(m, run.mailbox, { onLoop: first === FIRST_CHUNK && chunk === chunks[0] }),
        ),
      );
    let next = chunks.length ? render(chunks[0]) : null;
    for (const [k, chunk] of chunks.entries()) {
      const rendered = await next!;
      next = k + 1 < chunks.length ? render(chunks[k + 1]) : null;
      const settlements: Settlement[] = [];
      const ready: { m: Claimed; out: OutgoingMessage }[] = [];
      for (const [j, m] of chunk.entries()) {
        const r = rendered[j];
        if (r.status === 'fulfilled') ready.push({ m, out: r.value });
        else settlements.push({ message: m, verdict: judgeFailure(r.reason, this.context(run, m)).verdict });
      }
      const go = run.stop || !(await this.groupActive(job.groupId)) ? [] : ready;
      if (!go.length) {
        for (const r of ready) settlements.push({ message: r.m, verdict: this.released(run, true) });
      } else {
        let results: Awaited<ReturnType<NonNullable<MailProvider['sendMany']>>>;
        try {
          results = await this.withTimeout(
            (signal) =>
              run.provider.sendMany!(
                run.mailbox,
                go.map((r) => r.out),
                { signal },
              ),
            'send',
          );
        } catch (e) {
          results = go.map(() => (e instanceof MailError ? e : new UnknownOutcomeMailError(describe(e))));
        }
        for (const [k, r] of go.entries()) {
          const result = results[k];
          settlements.push({
            message: r.m,
            verdict:
              result instanceof Error
                ? await this.judge(run, { ...r.m, attempts: r.m.attempts + 1 }, result)
                : { type: 'sent', result, subject: r.out.subject },
          });
        }
      }
      run.settled.push(...(await this.recorder.record(settlements)));
    }
  }

  /**
   * Whether the group may still send. KEY SHARE waits for a pause or cancel that holds the row to
   * commit, then reads the new state; one statement, so the lock ends with it.
   */
  private groupActive(groupId: string) {
    return withDbRetry(async () => {
      const [g] = await this.prisma.sql.$queryRaw<{ state: string }[]>`
        SELECT state FROM "DeliveryGroup" WHERE id = ${groupId}::uuid FOR KEY SHARE`;
      return g?.state === 'ACTIVE';
    });
  }

  /** One message at a time per provider call (a few at once when the mailbox has no gap). */
  private async sendEach(run: Run, job: SendJob, todo: Claimed[], options: { oneOff?: boolean }) {
    const gapped = run.mailbox.minGapSeconds > 0 && !options.oneOff;
    const width = gapped ? 1 : this.config.delivery.batchConcurrency;
    let next = 0;
    const pending: Settlement[] = [];
    const flush = async () => {
      const batch = pending.splice(0);
      run.settled.push(...(await this.recorder.record(batch)));
    };
    const lane = async () => {
      while (next < todo.length) {
        const m = todo[next++];
        pending.push({ message: m, verdict: await this.sendOne(run, job, m, gapped) });
        if (pending.length >= 10) await flush();
      }
    };
    await Promise.all(Array.from({ length: Math.min(width, todo.length) }, lane));
    await flush();
  }

  private async sendOne(run: Run, job: SendJob, m: Claimed, gapped: boolean): Promise<Verdict> {
    if (run.stop) return this.released(run);
    let out: OutgoingMessage;
    try {
      out = await this.renderer.render(m, run.mailbox);
    } catch (e) {
      return judgeFailure(e, this.context(run, m)).verdict;
    }
    const handoff = await this.handoff(run, job, m, gapped);
    if (handoff !== true) return handoff;
    try {
      const result = await this.withTimeout(
        (signal) => run.provider.send(run.mailbox, out, { signal }),
        'send',
      );
      return { type: 'sent', result, subject: out.subject };
    } catch (e) {
      return this.judge(run, { ...m, attempts: m.attempts + 1 }, e);
    }
  }

  /** True when the message may go to the provider now; otherwise the verdict for it. */
  private async handoff(run: Run, job: SendJob, m: Claimed, gapped: boolean): Promise<true | Verdict> {
    for (;;) {
      if (!gapped) {
        const handed = await withDbRetry(() =>
          this.prisma.transaction((tx) => markHandoff(tx, job.groupId, this.lease.id, [m.id])),
        );
        return handed.size ? true : this.released(run);
      }
      let gate;
      try {
        gate = await withDbRetry(() =>
          this.prisma.transaction((tx) => gatedHandoff(tx, run.mailbox, job.groupId, this.lease.id, m.id)),
        );
      } catch (e) {
        if (isStopped(e)) return this.released(run);
        throw e;
      }
      if (gate.ok) return true;
      if ('stopped' in gate) return this.released(run);
      if (gate.waitMs > MAX_GAP_WAIT_MS) {
        return { type: 'release', at: new Date(this.clock.now().getTime() + gate.waitMs) };
      }
      await new Promise((r) => setTimeout(r, gate.waitMs + 5));
    }
  }

  /** A provider failure: its verdict, a mailbox-wide action if it calls for one, reconciliation if in doubt. */
  private async judge(run: Run, m: Claimed, error: unknown): Promise<Verdict> {
    if (!(error instanceof MailError))
      this.logger.error(`unexpected send failure of ${m.id}`, (error as Error).stack);
    const { verdict, mailbox } = judgeFailure(error, this.context(run, m));
    if (mailbox && !run.stop) {
      run.stop = mailbox.reason;
      await this.actions.apply(m.organizationId, run.mailbox.id, mailbox);
    }
    if (verdict.type !== 'reconcile') return verdict;
    try {
      const found = await this.withTimeout(
        (signal) => run.provider.findSent(run.mailbox, m.messageId, { signal }),
        'lookup',
      );
      if (found) return { type: 'sent', result: found };
      // Certainly absent only when the provider's search has no lag; otherwise ask again later.
      if (!run.provider.reconcileLagMs) return retryOrGiveUp(verdict.reason, this.context(run, m));
    } catch (e) {
      this.logger.warn(`could not reconcile ${m.id} yet: ${describe(e)}`);
    }
    return verdict;
  }

  private context(run: Run, m: Claimed): FailureContext {
    return {
      attempts: m.attempts,
      maxAttempts: m.maxAttempts ?? this.config.delivery.maxAttempts,
      retryBaseMs: this.config.delivery.retryBaseMs,
      canReconcile: run.provider.canReconcile,
      atLeastOnce: run.mailbox.atLeastOnce,
      now: this.clock.now(),
    };
  }

  /** Back to PENDING, not attempted; `uncount` when it was handed off at claim (the attempt is taken back). */
  private released(run: Run, uncount = false): Verdict {
    return {
      type: 'release',
      reason: run.stop ? `Waiting for the mailbox: ${run.stop}` : undefined,
      uncount,
    };
  }

  /** An overall timeout on a provider call; an unanswered send may have gone out (unknown outcome). */
  private async withTimeout<T>(fn: (signal: AbortSignal) => Promise<T>, what: 'send' | 'lookup'): Promise<T> {
    const ms = this.config.delivery.providerTimeoutMs;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        const message = `The provider did not answer within ${Math.round(ms / 1000)} s`;
        reject(what === 'send' ? new UnknownOutcomeMailError(message) : new Error(message));
      }, ms);
    });
    try {
      return await Promise.race([fn(controller.signal), expired]);
    } finally {
      clearTimeout(timer);
    }
  }
}
