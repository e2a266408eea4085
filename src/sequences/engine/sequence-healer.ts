import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock/clock.js';
import type { DeliveryEvent } from '../../delivery/delivery.contract.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { SequenceDeliveryHandler } from './sequence-delivery.handler.js';

/** A settled message is left this long for its own event before the sweep replays it. */
const GRACE_MS = 30_000;
const BATCH = 500;

/**
 * The safety net under delivery's reports: a step execution still waiting on a message that
 * delivery has settled (a suppressed address reported after commit by a process that then died, a
 * message closed with its group) gets the event replayed from the ledger, so no enrollment waits
 * forever on an email that will never be reported. Replays are idempotent: the handler counts
 * first occurrences only, and only executions still HANDED_OVER are looked at.
 */
@Injectable()
export class SequenceHealer {
  private readonly logger = new Logger(SequenceHealer.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: Clock,
    private readonly handler: SequenceDeliveryHandler,
  ) {}

  /** Replays the missing events; returns how many it replayed. */
  async replayMissing(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - GRACE_MS);
    const rows = await this.prisma.db.$queryRaw<
      {
        execution: string;
        organizationId: string;
        groupId: string;
        messageId: string;
        contactId: string | null;
        status: string;
        header: string | null;
        thread: string | null;
        error: string | null;
        at: Date;
      }[]
    >`
      SELECT x.id::text AS execution, m."organizationId"::text, m."groupId"::text, m.id::text AS "messageId",
             m."contactId"::text, m.status::text, m."messageId" AS header, m."providerThreadId" AS thread,
             m."lastError" AS error, COALESCE(m."sentAt", m."updatedAt") AS at
      FROM "StepExecution" x JOIN "OutboundMessage" m ON m.id = x."messageId"
      WHERE x.status = 'HANDED_OVER' AND m.status IN ('SENT', 'DELIVERED', 'BOUNCED', 'FAILED', 'SKIPPED', 'CANCELLED')
        AND m."updatedAt" < ${before}
      LIMIT ${BATCH}`;
    if (!rows.length) return 0;
    const events = rows.map((r): DeliveryEvent => {
      const base = {
        organizationId: r.organizationId,
        groupId: r.groupId,
        sourceType: 'SEQUENCE' as const,
        sourceRef: r.execution,
        messageId: r.messageId,
        contactId: r.contactId,
        at: r.at,
      };
      if (r.status === 'CANCELLED') return { ...base, type: 'cancelled' };
      if (r.status === 'FAILED' || r.status === 'SKIPPED')
        return { ...base, type: 'failed', reason: r.error ?? undefined };
      return { ...base, type: 'sent', messageIdHeader: r.header ?? undefined, providerThreadId: r.thread };
    });
    await this.prisma.transaction((tx) => this.handler.onEvents(tx, events), { timeout: 120_000 });
    this.logger.warn(`replayed ${events.length} delivery event(s) that sequences had not heard`);
    return events.length;
  }
}
