import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { Clock } from '../../common/clock/clock.js';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { Prisma } from '../../generated/prisma/client.js';
import { withDbRetry } from '../../prisma/db-retry.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { ProviderRegistry } from '../../providers/provider-registry.js';
import { SenderAccountsService } from '../../providers/sender-accounts.service.js';
import type { SourceType } from '../delivery.contract.js';
import { WorkerLease } from '../worker/worker-lease.js';
import { DispatchService } from '../dispatch/dispatch.service.js';
import { DB_NOW } from '../ledger/db-time.js';
import { closeUnsent } from '../ledger/closer.js';
import { dropReservations } from '../ledger/reservations.js';
import { QUEUES, sendJobId, type SendJob } from '../queues.js';
import { OutcomeRecorder, type HeldMessage, type Settlement } from '../send/outcome-recorder.js';
import { retryOrGiveUp, type Verdict } from '../send/outcomes.js';

interface InDoubt extends HeldMessage {
  senderAccountId: string | null;
  attempts: number;
  maxAttempts: number | null;
  handedOff: boolean;
  /** Milliseconds since the hand-off (database clock). */
  ageMs: number;
}

/** Waiting or delayed: the job will still run and claim its messages. */
const WAITING = new Set(['waiting', 'delayed', 'paused']);
const BATCH = 500;

/**
 * Heals what crashes leave behind, within DELIVERY_STUCK_MS, so no message is lost or sent twice
 * (never the work of the process it runs in, which is alive by definition):
 * - a dead worker's messages (its lease ran out) that never reached the provider go back to
 *   PENDING and are simply sent again; those handed off are reconciled with the provider by
 *   Message-ID (found: SENT; certainly absent: retried; SMTP, which cannot be asked: at most once);
 * - capacity reserved for jobs that are gone (Redis flushed or restarted) is given back;
 * - unsent messages of cancelled or failed groups are settled;
 * - groups with due work are dispatched.
 */
@Injectable()
export class RecoveryService {
  private readonly logger = new Logger(RecoveryService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: Clock,
    private readonly dispatch: DispatchService,
    private readonly recorder: OutcomeRecorder,
    private readonly registry: ProviderRegistry,
    private readonly mailboxes: SenderAccountsService,
    @InjectQueue(QUEUES.send) private readonly sendQueue: Queue<SendJob>,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly lease: WorkerLease,
  ) {}

  async sweep() {
    const stuck = this.config.delivery.stuckMs;
    const settled = await this.settleInDoubt(stuck);
    const requeued = await this.dropLostReservations(stuck);
    const groups = await this.groupsWithPending();
    await this.closeGroups(
      groups.filter((g) => g.state === 'CANCELLED' || g.state === 'FAILED').map((g) => g.id),
    );
    for (const g of groups) if (g.state === 'ACTIVE' && g.due) await this.dispatch.enqueue(g.id);
    await this.prisma.db.$executeRaw`
      DELETE FROM "DeliveryWorker" WHERE "heartbeatAt" < ${DB_NOW} - interval '1 day'`;
    if (settled || requeued) {
      this.logger.warn(`recovered ${settled} messages in flight and ${requeued} reservations of lost jobs`);
    }
  }

  /** SENDING messages of dead workers, and those left for reconciliation. */
  private async settleInDoubt(stuckMs: number) {
    const rows = await this.prisma.db.$queryRaw<InDoubt[]>`
      SELECT m.id, m."organizationId", m."groupId", m."sourceType"::text AS "sourceType", m."sourceRef", m."contactId",
             m."messageId", m."workerId", m."senderAccountId", m.attempts, g."maxAttempts",
             m."handoffAt" IS NOT NULL AS "handedOff",
             COALESCE(EXTRACT(EPOCH FROM (${DB_NOW} - m."handoffAt")) * 1000, 0)::bigint::int AS "ageMs"
      FROM "OutboundMessage" m
      JOIN "DeliveryGroup" g ON g.id = m."groupId"
      LEFT JOIN "DeliveryWorker" w ON w.id = m."workerId"
      WHERE m.status = 'SENDING'
        AND (m."workerId" IS NULL OR w.id IS NULL OR w."heartbeatAt" < ${DB_NOW} - make_interval(secs => ${stuckMs / 1000}))
        -- This process is alive whatever its heartbeat says (a busy event loop delays beats).
        AND m."workerId" IS DISTINCT FROM ${this.lease.id}::uuid
      ORDER BY m."sendingAt" LIMIT ${BATCH}`;
    if (!rows.length) return 0;
    const settlements: Settlement[] = [];
    // Never reached the provider: simply send again (the claim's attempt is not counted).
    for (const m of rows.filter((r) => !r.handedOff))
      settlements.push({ message: m, verdict: { type: 'release' } });
    const byMailbox = new Map<string, InDoubt[]>();
    for (const m of rows.filter((r) => r.handedOff && r.senderAccountId)) {
      byMailbox.set(m.senderAccountId!, [...(byMailbox.get(m.senderAccountId!) ?? []), m]);
    }
    for (const [mailboxId, list] of byMailbox) settlements.push(...(await this.reconcile(mailboxId, list)));
    const recorded = await this.recorder.record(
      settlements.map((s) => ({ ...s, message: { ...s.message } })),
    );
    return recorded.length;
  }

  /** Asks the mailbox's provider about each message it may have sent. */
  private async reconcile(mailboxId: string, list: InDoubt[]): Promise<Settlement[]> {
    let mailbox;
    try {
      mailbox = await this.mailboxes.loadMailbox(list[0].organizationId, mailboxId);
    } catch (e) {
      this.logger.warn(`cannot reconcile messages of mailbox ${mailboxId} yet: ${String(e)}`);
      return [];
    }
    const provider = this.registry.get(mailbox.provider);
    const out: Settlement[] = [];
    for (const m of list) {
      const ctx = {
        attempts: m.attempts,
        maxAttempts: m.maxAttempts ?? this.config.delivery.maxAttempts,
        retryBaseMs: this.config.delivery.retryBaseMs,
        canReconcile: provider.canReconcile,
        atLeastOnce: mailbox.atLeastOnce,
        now: this.clock.now(),
      };
      let verdict: Verdict | null = null;
      if (!provider.canReconcile || !m.messageId) {
        verdict = mailbox.atLeastOnce
          ? retryOrGiveUp('The worker stopped during the send', ctx)
          : {
              type: 'failed',
              kind: 'UNKNOWN_OUTCOME',
              reason:
                'Outcome unknown (the worker stopped during the send); not retried: this mailbox sends at most once',
            };
      } else {
        try {
          const found = await provider.findSent(mailbox, m.messageId, {
            signal: AbortSignal.timeout(this.config.delivery.providerTimeoutMs),
          });
          if (found) verdict = { type: 'sent', result: found };
          else if (m.ageMs >= (provider.reconcileLagMs ?? 0)) {
            verdict = retryOrGiveUp('The provider has no trace of the message: sending it again', ctx);
          }
        } catch (e) {
          this.logger.warn(`could not reconcile ${m.id} yet: ${String(e)}`);
        }
      }
      if (verdict) out.push({ message: m, verdict });
    }
    return out;
  }

  /** Capacity reserved for jobs that will never run (Redis lost them): given back to the mailboxes. */
  private async dropLostReservations(stuckMs: number) {
    const old = await this.prisma.db.$queryRaw<{ token: string }[]>`
      SELECT token FROM "DeliveryReservation"
      WHERE "createdAt" < ${DB_NOW} - make_interval(secs => ${stuckMs / 1000})
      ORDER BY "createdAt" LIMIT ${BATCH}`;
    const lost: string[] = [];
    for (const { token } of old) if (!(await this.jobWillRun(token, stuckMs))) lost.push(token);
    if (!lost.length) return 0;
    return withDbRetry(() =>
      this.prisma.transaction((tx) => dropReservations(tx, Prisma.sql`token = ANY(${lost}::uuid[])`)),
    );
  }

  /** Waiting or delayed, or started so recently that its worker is still claiming. */
  private async jobWillRun(token: string, stuckMs: number) {
    try {
      const job = await this.sendQueue.getJob(sendJobId(token));
      if (!job) return false;
      const state = await job.getState();
      if (WAITING.has(state)) return true;
      return state === 'active' && Date.now() - (job.processedOn ?? 0) < stuckMs;
    } catch {
      return true; // Redis cannot answer now: decide on the next sweep
    }
  }

  /** Groups that have PENDING messages (a skip scan: one probe per group), with their state. */
  private groupsWithPending() {
    return this.prisma.db.$queryRaw<{ id: string; state: string; sourceType: SourceType; due: boolean }[]>`
      WITH RECURSIVE grp AS (
        (SELECT "groupId" AS id FROM "OutboundMessage" WHERE status = 'PENDING' ORDER BY "groupId" LIMIT 1)
        UNION ALL
        SELECT (SELECT "groupId" FROM "OutboundMessage" WHERE status = 'PENDING' AND "groupId" > grp.id
                ORDER BY "groupId" LIMIT 1)
        FROM grp WHERE grp.id IS NOT NULL
      )
      SELECT g.id, g.state::text, g."sourceType"::text AS "sourceType",
             (g."nextBatchAt" IS NULL OR g."nextBatchAt" <= ${this.clock.now()}) AS due
      FROM grp JOIN "DeliveryGroup" g ON g.id = grp.id`;
  }

  /** Unsent messages of cancelled or failed groups, settled in steps (a large close continues here). */
  private async closeGroups(groupIds: string[]) {
    for (const id of groupIds) {
      for (let step = 0; step < 20; step++) {
        if (!(await withDbRetry(() => this.prisma.transaction((tx) => closeUnsent(tx, id))))) break;
      }
    }
  }
}
