import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock/clock.js';
import { Prisma } from '../../generated/prisma/client.js';
import { withDbRetry } from '../../prisma/db-retry.js';
import type { RawSql } from '../../prisma/direct-sql.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import type { DeliveryEvent, SourceType } from '../delivery.contract.js';
import { DeliverySources } from '../delivery-sources.js';
import { DB_NOW } from '../ledger/db-time.js';
import { releaseReservations } from '../ledger/reservations.js';
import type { Verdict } from './outcomes.js';

/** A message in a worker's (or recovery's) hands, as recording needs it. */
export interface HeldMessage {
  id: string;
  organizationId: string;
  groupId: string;
  sourceType: SourceType;
  sourceRef: string;
  contactId: string | null;
  messageId: string | null;
  /** The worker it was claimed by (null once orphaned for reconciliation). */
  workerId: string | null;
}

export interface Settlement {
  message: HeldMessage;
  verdict: Verdict;
}

const STATUS: Record<Verdict['type'], string> = {
  sent: 'SENT',
  retry: 'PENDING',
  failed: 'FAILED',
  release: 'PENDING',
  reconcile: 'SENDING',
  skipped: 'SKIPPED',
};

/** Whether the message's daily-cap slot goes back: it was not (or certainly not) sent. */
const releasesSlot = (v: Verdict) =>
  v.type === 'retry' ||
  v.type === 'release' ||
  v.type === 'skipped' ||
  (v.type === 'failed' && v.kind !== 'UNKNOWN_OUTCOME');

/**
 * Records verdicts in one transaction per batch: only for messages still SENDING under the same
 * worker (else someone else, recovery or a late worker, already decided); the sources hear of it
 * in the same transaction; daily-cap slots of unsent messages go back; failures get an event.
 * The statement that changes the messages comes last (its trigger takes the counters).
 */
@Injectable()
export class OutcomeRecorder {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sources: DeliverySources,
    private readonly clock: Clock,
  ) {}

  /** Returns the settlements that were recorded (those still in the caller's hands). */
  async record(settlements: Settlement[]): Promise<Settlement[]> {
    if (!settlements.length) return [];
    const now = this.clock.now();
    const { kept, events } = await withDbRetry(() =>
      this.fastPath(settlements)
        ? this.recordSent(settlements, now)
        : this.recordInTransaction(settlements, now),
    );
    const groups = new Map(kept.map((s) => [s.message.groupId, s.message.sourceType]));
    this.sources.afterCommit(
      events,
      [...groups].map(([id, sourceType]) => ({ id, sourceType })),
    );
    return kept;
  }

  /** All sent, and no source reacts inside the transaction: one statement records the batch. */
  private fastPath(settlements: Settlement[]) {
    return settlements.every(
      (s) => s.verdict.type === 'sent' && !this.sources.reactsInTransaction(s.message.sourceType),
    );
  }

  private async recordSent(settlements: Settlement[], now: Date) {
    const ids = new Set(await this.write(this.prisma.sql, settlements, now));
    const kept = settlements.filter((s) => ids.has(s.message.id));
    return { kept, events: eventsOf(kept, now) };
  }

  private recordInTransaction(settlements: Settlement[], now: Date) {
    return this.prisma.transaction(async (tx) => {
      const held = await tx.$queryRaw<{ id: string }[]>`
          SELECT m.id FROM "OutboundMessage" m
          JOIN unnest(${settlements.map((s) => s.message.id)}::uuid[], ${settlements.map((s) => s.message.workerId)}::uuid[])
            AS u(id, worker) ON m.id = u.id
          WHERE m.status = 'SENDING' AND m."workerId" IS NOT DISTINCT FROM u.worker
          ORDER BY m.id FOR UPDATE OF m`;
      const ids = new Set(held.map((h) => h.id));
      const kept = settlements.filter((s) => ids.has(s.message.id));
      if (!kept.length) return { kept, events: [] };
      const events = eventsOf(kept, now);
      await this.sources.notify(tx, events);
      const released = kept.filter((s) => releasesSlot(s.verdict)).map((s) => s.message.id);
      if (released.length) await releaseReservations(tx, Prisma.sql`id = ANY(${released}::uuid[])`);
      await this.failureEvents(tx, kept);
      await this.write(tx, kept, now);
      return { kept, events };
    });
  }

  /**
   * The one statement that changes the messages, only those still SENDING under the same worker;
   * returns the ids it changed.
   */
  private async write(db: RawSql, kept: Settlement[], now: Date) {
    const col = <T>(f: (s: Settlement) => T) => kept.map(f);
    const v = (s: Settlement) => s.verdict;
    const rows = await db.$queryRaw<{ id: string }[]>`
      UPDATE "OutboundMessage" m SET
        status = (CASE WHEN u.status = 'PENDING' AND g.state = 'CANCELLED' THEN 'CANCELLED' ELSE u.status END)::"RecipientStatus",
        "failureKind" = u.kind::"FailureKind",
        "lastError" = CASE WHEN u.status = 'PENDING' AND g.state = 'CANCELLED' THEN 'Cancelled' ELSE u.err END,
        "nextAttemptAt" = u.next,
        "sentAt" = COALESCE(u.sent_at, m."sentAt"),
        "providerMessageId" = COALESCE(u.pmid, m."providerMessageId"),
        "providerThreadId" = COALESCE(u.ptid, m."providerThreadId"),
        subject = COALESCE(u.subject, m.subject),
        attempts = m.attempts - (CASE WHEN u.uncount AND m."handoffAt" IS NOT NULL THEN 1 ELSE 0 END),
        "workerId" = NULL,
                "reservedDay" = CASE WHEN u.release THEN NULL ELSE m."reservedDay" END,
        "handoffAt" = CASE WHEN u.status = 'PENDING' THEN NULL ELSE m."handoffAt" END,
        "queuedAt" = CASE WHEN u.status = 'PENDING' THEN NULL ELSE m."queuedAt" END,
        "updatedAt" = ${DB_NOW}
      FROM unnest(${col((s) => s.message.id)}::uuid[], ${col((s) => s.message.workerId)}::uuid[],
                  ${col((s) => STATUS[v(s).type])}::text[],
                  ${col((s) => (v(s).type === 'failed' ? (v(s) as { kind: string }).kind : null))}::text[],
                  ${col((s) => ('reason' in v(s) ? ((v(s) as { reason?: string }).reason ?? null) : null))}::text[],
                  ${col((s) => nextAttempt(v(s), now))}::timestamp[],
                  ${col((s) => (v(s).type === 'sent' ? now : null))}::timestamp[],
                  ${col((s) => (v(s).type === 'sent' ? (v(s) as { result: { providerMessageId: string } }).result.providerMessageId : null))}::text[],
                  ${col((s) => (v(s).type === 'sent' ? ((v(s) as { result: { providerThreadId?: string } }).result.providerThreadId ?? null) : null))}::text[],
                  ${col((s) => releasesSlot(v(s)))}::bool[],
                  ${col((s) => v(s).type === 'release' && !!(v(s) as { uncount?: boolean }).uncount)}::bool[],
                  ${col((s) => (v(s).type === 'sent' ? ((v(s) as { subject?: string }).subject ?? null) : null))}::text[])
           AS u(id, worker, status, kind, err, next, sent_at, pmid, ptid, release, uncount, subject),
           "DeliveryGroup" g
      WHERE m.id = u.id AND g.id = m."groupId" AND m.status = 'SENDING' AND m."workerId" IS NOT DISTINCT FROM u.worker
      RETURNING m.id`;
    return rows.map((r) => r.id);
  }

  /** One event per failed message (with its reason), for the source's history. */
  private async failureEvents(tx: Prisma.TransactionClient, kept: Settlement[]) {
    const failed = kept.filter((s) => s.verdict.type === 'failed');
    if (!failed.length) return;
    await tx.$executeRaw`
      INSERT INTO "Event" ("organizationId", type, "campaignId", "sequenceId", "recipientId", "actorType", "actorId", data)
      SELECT u.org, 'recipient.failed', CASE WHEN u.source = 'CAMPAIGN' THEN u.grp END,
             CASE WHEN u.source = 'SEQUENCE' THEN u.grp END, u.id, 'SYSTEM', 'delivery', jsonb_build_object('reason', u.reason)
      FROM unnest(${failed.map((s) => s.message.organizationId)}::uuid[], ${failed.map((s) => s.message.groupId)}::uuid[],
                  ${failed.map((s) => s.message.sourceType)}::text[], ${failed.map((s) => s.message.id)}::uuid[],
                  ${failed.map((s) => (s.verdict as { reason: string }).reason)}::text[])
           AS u(org, grp, source, id, reason)`;
  }
}

function nextAttempt(v: Verdict, now: Date): Date | null {
  if (v.type === 'retry') return new Date(now.getTime() + v.delayMs);
  if (v.type === 'release') return v.at ?? null;
  return null;
}

/**
 * The events of recorded settlements: one per sent or failed message. One literal of one shape for
 * both kinds (the other kind's fields undefined), not a common base spread into each: a batch makes
 * hundreds.
 */
function eventsOf(kept: Settlement[], at: Date): DeliveryEvent[] {
  const events: DeliveryEvent[] = [];
  for (const { message: m, verdict: v } of kept) {
    if (v.type !== 'sent' && v.type !== 'failed') continue;
    const sent = v.type === 'sent';
    events.push({
      type: v.type,
      organizationId: m.organizationId,
      groupId: m.groupId,
      sourceType: m.sourceType,
      sourceRef: m.sourceRef,
      messageId: m.id,
      contactId: m.contactId,
      at,
      messageIdHeader: sent ? (m.messageId ?? undefined) : undefined,
      providerThreadId: sent ? (v.result.providerThreadId ?? null) : undefined,
      reason: sent ? undefined : v.reason,
      failureKind: sent ? undefined : v.kind,
    });
  }
  return events;
}
