import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock/clock.js';
import { Prisma } from '../../generated/prisma/client.js';
import type { InboundKind, SourceType } from '../../generated/prisma/enums.js';
import { withDbRetry } from '../../prisma/db-retry.js';
import { PrismaService, type Tx } from '../../prisma/prisma.service.js';
import type { InboundMailbox, InboundSink } from '../../providers/inbound-sink.port.js';
import type { InboundMail } from '../../providers/mail-provider.port.js';
import type { DeliveryEvent } from '../delivery.contract.js';
import { DeliverySources } from '../delivery-sources.js';
import { DB_NOW } from '../ledger/db-time.js';
import { classifyInbound, ledgerIdsOf, type ClassifiedInbound } from './classify-inbound.js';

/** An outbound message an inbound one answers, as recording needs it. */
interface Matched {
  id: string;
  organizationId: string;
  groupId: string;
  sourceType: SourceType;
  sourceRef: string;
  contactId: string | null;
  email: string;
}

interface OutboundState {
  repliedAt: Date | null;
  bouncedAt: Date | null;
}

/** What recording one inbound message did. */
export interface RecordedInbound {
  id: string;
  kind: InboundKind;
  outboundMessageId: string | null;
  /** False when the same provider message had been recorded before (nothing changed this time). */
  created: boolean;
}

const MATCH_COLUMNS = Prisma.sql`m.id::text AS id, m."organizationId"::text AS "organizationId", m."groupId"::text AS "groupId",
  m."sourceType"::text AS "sourceType", m."sourceRef"::text AS "sourceRef", m."contactId"::text AS "contactId", m.email`;
const THREAD_CANDIDATES = 20;
const MAX_TEXT = 500;

/**
 * Delivery's inbound sink (docs/adr/007): every message the poller (or the sandbox) hands over is
 * classified from its MIME, matched to the outbound message it answers, and recorded once per
 * mailbox and provider message id. Only a newly inserted row has effects, all in its transaction:
 * a reply sets `repliedAt`; a hard bounce makes the message BOUNCED and suppresses the address for
 * the organization; the message's source hears `replied` (automatic or not) or `bounced` inside the
 * transaction, and again after it commits. A message is only ever matched within the mailbox's
 * own organization.
 */
@Injectable()
export class DeliveryInboundSink implements InboundSink {
  private readonly logger = new Logger(DeliveryInboundSink.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly sources: DeliverySources,
    private readonly clock: Clock,
  ) {}

  async record(mailbox: InboundMailbox, mails: InboundMail[]): Promise<void> {
    for (const mail of mails) await this.recordOne(mailbox, mail);
  }

  /** Records one message (idempotent per mailbox and provider message id). */
  async recordOne(mailbox: InboundMailbox, mail: InboundMail): Promise<RecordedInbound> {
    const known = await this.find(mailbox.id, mail.providerMessageId);
    if (known) return { ...known, created: false };
    const classified = await classifyInbound(mail.raw);
    const result = await withDbRetry(() =>
      this.prisma.transaction((tx) => this.write(tx, mailbox, mail, classified)),
    );
    if (result.matched) {
      this.sources.afterCommit(result.events, [
        { id: result.matched.groupId, sourceType: result.matched.sourceType },
      ]);
    }
    if (result.recorded.created) {
      this.logger.debug(
        `${mailbox.email}: ${result.recorded.kind} (${classified.reason})${result.matched ? ` answering ${result.matched.id}` : ', unmatched'}`,
      );
    }
    return result.recorded;
  }

  private async write(tx: Tx, mailbox: InboundMailbox, mail: InboundMail, c: ClassifiedInbound) {
    const matched = await this.match(tx, mailbox, mail, c);
    // Lock the outbound row before the insert: the insert's foreign key takes a share lock on it, and
    // two answers to one message upgrading their share locks would deadlock.
    const state = matched ? await this.lock(tx, matched.id) : null;
    const [row] = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO "InboundMessage" ("organizationId", "senderAccountId", "providerMessageId", "providerThreadId", kind,
        "outboundMessageId", "fromAddress", subject, "bounceStatus", diagnostic, "receivedAt")
      VALUES (${mailbox.organizationId}::uuid, ${mailbox.id}::uuid, ${mail.providerMessageId}, ${mail.providerThreadId ?? null},
        ${c.kind}::"InboundKind", ${matched?.id ?? null}::uuid, ${clip(c.from)}, ${clip(c.subject)}, ${c.status},
        ${clip(c.diagnostic)}, ${mail.receivedAt ?? this.clock.now()})
      ON CONFLICT ("senderAccountId", "providerMessageId") DO NOTHING
      RETURNING id::text AS id`;
    if (!row) {
      // Recorded meanwhile by another process: that one had the effects.
      const known = await this.find(mailbox.id, mail.providerMessageId, tx);
      return { recorded: { ...known!, created: false }, events: [] as DeliveryEvent[], matched: null };
    }
    const recorded: RecordedInbound = {
      id: row.id,
      kind: c.kind,
      outboundMessageId: matched?.id ?? null,
      created: true,
    };
    if (!matched || !state) return { recorded, events: [] as DeliveryEvent[], matched: null };
    const events = await this.apply(tx, matched, state, c, row.id);
    return { recorded, events, matched };
  }

  /**
   * The outbound message this one answers: our Message-IDs in its headers (the returned headers of
   * a bounce first), within the mailbox's organization; else the provider's thread in this mailbox
   * (the sender, or for a bounce the failed address, must be the recipient when the thread holds
   * several); else, for a bounce, the last message this mailbox sent to the failed address.
   */
  private async match(tx: Tx, mailbox: InboundMailbox, mail: InboundMail, c: ClassifiedInbound) {
    const bounce = c.kind === 'BOUNCE_HARD' || c.kind === 'BOUNCE_SOFT';
    const ids = ledgerIdsOf(c.referencedIds);
    if (ids.length) {
      const rows = await tx.$queryRaw<Matched[]>`
        SELECT ${MATCH_COLUMNS} FROM "OutboundMessage" m
        WHERE m.id = ANY(${ids}::uuid[]) AND m."organizationId" = ${mailbox.organizationId}::uuid
          AND m."messageId" IS NOT NULL`;
      const byId = new Map(rows.map((r) => [r.id, r]));
      const found = ids.map((id) => byId.get(id)).find((r) => !!r);
      if (found) return found;
    }
    const wanted = bounce ? c.failedRecipients : c.from ? [c.from] : [];
    if (mail.providerThreadId) {
      const rows = await tx.$queryRaw<Matched[]>`
        SELECT ${MATCH_COLUMNS} FROM "OutboundMessage" m
        WHERE m."senderAccountId" = ${mailbox.id}::uuid
          AND (m."providerThreadId" = ${mail.providerThreadId} OR m."providerMessageId" = ${mail.providerThreadId})
        ORDER BY m."sentAt" DESC NULLS LAST, m.id LIMIT ${THREAD_CANDIDATES}`;
      const same = rows.filter((r) => wanted.includes(r.email.toLowerCase()));
      if (same.length) return same[0];
      // A thread that only ever went to one address is that conversation, whoever answers in it.
      if (!bounce && rows.length && new Set(rows.map((r) => r.email.toLowerCase())).size === 1)
        return rows[0];
    }
    if (bounce && c.failedRecipients.length) {
      const [row] = await tx.$queryRaw<Matched[]>`
        SELECT ${MATCH_COLUMNS} FROM "OutboundMessage" m
        WHERE m."senderAccountId" = ${mailbox.id}::uuid AND m.email = ANY(${c.failedRecipients}::text[])
          AND m."sentAt" IS NOT NULL
        ORDER BY m."sentAt" DESC LIMIT 1`;
      if (row) return row;
    }
    return null;
  }

  private async lock(tx: Tx, id: string) {
    const [state] = await tx.$queryRaw<OutboundState[]>`
      SELECT "repliedAt", "bouncedAt" FROM "OutboundMessage" WHERE id = ${id}::uuid FOR UPDATE`;
    return state ?? null;
  }

  /**
   * The effects of a newly recorded message that answers `m` (locked by the caller). The outbound
   * row is changed last (its trigger takes the counters), as everywhere in delivery.
   */
  private async apply(
    tx: Tx,
    m: Matched,
    state: OutboundState,
    c: ClassifiedInbound,
    inboundId: string,
  ): Promise<DeliveryEvent[]> {
    const at = this.clock.now();
    const base = {
      organizationId: m.organizationId,
      groupId: m.groupId,
      sourceType: m.sourceType,
      sourceRef: m.sourceRef,
      messageId: m.id,
      contactId: m.contactId,
      at,
    };
    const events: DeliveryEvent[] = [];
    let update: 'replied' | 'bounced' | null = null;
    if (c.kind === 'REPLY' && !state.repliedAt) {
      events.push({ ...base, type: 'replied', automatic: false });
      update = 'replied';
    } else if (
      c.kind === 'AUTO_REPLY' &&
      !state.repliedAt &&
      !(await this.earlierAutoReply(tx, m.id, inboundId))
    ) {
      events.push({ ...base, type: 'replied', automatic: true });
    } else if (c.kind === 'BOUNCE_HARD') {
      await tx.$executeRaw`
        INSERT INTO "Suppression" ("organizationId", email, reason, note)
        VALUES (${m.organizationId}::uuid, ${m.email}, 'BOUNCED', ${clip(`Hard bounce${c.status ? ` ${c.status}` : ''}${c.diagnostic ? `: ${c.diagnostic}` : ''}`)})
        ON CONFLICT ("organizationId", email) DO NOTHING`;
      if (!state.bouncedAt) {
        events.push({ ...base, type: 'bounced', hard: true });
        update = 'bounced';
      }
    }
    await tx.event.create({
      data: {
        organizationId: m.organizationId,
        type: EVENT_TYPE[c.kind],
        campaignId: m.sourceType === 'CAMPAIGN' ? m.groupId : null,
        sequenceId: m.sourceType === 'SEQUENCE' ? m.groupId : null,
        recipientId: m.id,
        actorType: c.kind === 'REPLY' ? 'CONTACT' : 'SYSTEM',
        actorId: c.kind === 'REPLY' ? m.contactId : 'inbound',
        data: {
          inboundMessageId: inboundId,
          from: c.from,
          subject: clip(c.subject),
          ...(c.status && { status: c.status }),
          ...(c.diagnostic && { diagnostic: clip(c.diagnostic) }),
          ...(c.kind === 'AUTO_REPLY' && { automatic: true }),
        },
      },
    });
    if (events.length) await this.sources.notify(tx, events);
    // Last: the counters (trigger) follow.
    if (update === 'replied') {
      await tx.$executeRaw`
        UPDATE "OutboundMessage" SET "repliedAt" = ${at}, "updatedAt" = ${DB_NOW} WHERE id = ${m.id}::uuid`;
    } else if (update === 'bounced') {
      const reason = clip(
        `Bounced${c.status ? ` (${c.status})` : ''}${c.diagnostic ? `: ${c.diagnostic}` : ''}`,
      );
      await tx.$executeRaw`
        UPDATE "OutboundMessage" SET "bouncedAt" = ${at}, "updatedAt" = ${DB_NOW},
          status = (CASE WHEN status IN ('SENT', 'DELIVERED') THEN 'BOUNCED' ELSE status::text END)::"RecipientStatus",
          "lastError" = CASE WHEN status IN ('SENT', 'DELIVERED') THEN ${reason} ELSE "lastError" END
        WHERE id = ${m.id}::uuid`;
    }
    return events;
  }

  private async earlierAutoReply(tx: Tx, outboundId: string, inboundId: string) {
    const rows = await tx.$queryRaw<unknown[]>`
      SELECT 1 FROM "InboundMessage"
      WHERE "outboundMessageId" = ${outboundId}::uuid AND kind = 'AUTO_REPLY' AND id <> ${inboundId}::uuid LIMIT 1`;
    return rows.length > 0;
  }

  private async find(senderAccountId: string, providerMessageId: string, tx?: Tx) {
    return (tx ?? this.prisma.db).inboundMessage.findUnique({
      where: { senderAccountId_providerMessageId: { senderAccountId, providerMessageId } },
      select: { id: true, kind: true, outboundMessageId: true },
    });
  }
}

const EVENT_TYPE: Record<InboundKind, string> = {
  REPLY: 'recipient.replied',
  AUTO_REPLY: 'recipient.auto_replied',
  BOUNCE_HARD: 'recipient.bounced',
  BOUNCE_SOFT: 'recipient.soft_bounced',
  DELIVERY_REPORT: 'recipient.delivery_report',
};

function clip(value: string | null): string | null {
  return value && value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT - 1)}…` : value;
}
