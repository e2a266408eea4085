import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock/clock.js';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { transactionContext } from '../prisma/transaction-context.js';
import type { ContentSpec, DeliveryEvent, GroupSpec, MessageSpec, SourceType } from './delivery.contract.js';
import { DeliverySources } from './delivery-sources.js';
import { DispatchService } from './dispatch/dispatch.service.js';
import { groupStats, type GroupStats } from './ledger/counters.js';
import { DB_NOW } from './ledger/db-time.js';
import { closeUnsent } from './ledger/closer.js';
import { dropReservations, releaseReservations } from './ledger/reservations.js';
import { withDbRetry } from '../prisma/db-retry.js';
import { BatchSender } from './send/batch-sender.js';

export interface AttachmentSpec {
  filename: string;
  contentType: string;
  data: Uint8Array;
}

/** What closing a group did: how many of its messages will not be sent. */
export interface Settled {
  count: number;
}

const SUPPRESSED = 'Address is on the suppression list';
/** Unsent messages a cancel settles inside the caller's transaction; the rest in steps after it. */
const FIRST_CLOSE_STEP = 1_000;

/**
 * The ledger's face to the sources (campaigns, sequences, test emails): hand content, groups and
 * messages over, act on a group (pause, resume, cancel, retry), read its counts. Every method that
 * changes state takes the source's transaction, so the source's own change and delivery's commit
 * together; delivery starts working on them once that transaction has committed.
 *
 * Lock order (docs/adr/005): the source's row, then the group row, then message rows; a statement
 * that changes message rows is always the last of its transaction (its trigger takes the counters).
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly dispatch: DispatchService,
    private readonly sender: BatchSender,
    private readonly clock: Clock,
    private readonly sources: DeliverySources,
  ) {}

  /**
   * Stores immutable content and returns its id, in one statement. Attachments are given as data,
   * or as a query selecting `position, filename, content_type, data` (a source's own stored files,
   * copied inside the database rather than through this process).
   */
  async createContent(
    tx: Tx,
    spec: ContentSpec,
    attachments: AttachmentSpec[] | Prisma.Sql = [],
  ): Promise<string> {
    const source = !Array.isArray(attachments)
      ? attachments
      : attachments.length
        ? Prisma.sql`SELECT * FROM (VALUES ${Prisma.join(
            attachments.map(
              (a, position) =>
                Prisma.sql`(${position}::int, ${a.filename}, ${a.contentType}, ${Buffer.from(a.data)}::bytea)`,
            ),
          )}) AS a(position, filename, content_type, data)`
        : null;
    const [content] = await tx.$queryRaw<{ id: string }[]>`
      WITH c AS (
        INSERT INTO "MessageContent" ("organizationId", subject, "htmlBody", "textBody", "fromName", "replyTo",
          "trackOpens", "trackClicks", variables)
        VALUES (${spec.organizationId}::uuid, ${spec.subject}, ${spec.htmlBody}, ${spec.textBody}, ${spec.fromName},
          ${spec.replyTo}, ${spec.trackOpens}, ${spec.trackClicks}, ${JSON.stringify(spec.variables)}::jsonb)
        RETURNING id
      )${
        source
          ? Prisma.sql`, a AS (
        INSERT INTO "MessageAttachment" ("contentId", position, filename, "contentType", data, size)
        SELECT c.id, s.position, s.filename, s.content_type, s.data, length(s.data) FROM c, (${source}) s
      )`
          : Prisma.empty
      }
      SELECT id::text FROM c`;
    return content.id;
  }

  /** Opens the group (or reopens it, ACTIVE again); delivery dispatches it once the transaction commits. */
  async openGroup(tx: Tx, spec: GroupSpec) {
    await tx.$executeRaw`
      INSERT INTO "DeliveryGroup" (id, "organizationId", "sourceType", state, "dailyLimit", timezone, "maxAttempts", "updatedAt")
      VALUES (${spec.id}::uuid, ${spec.organizationId}::uuid, ${spec.sourceType}::"SourceType", 'ACTIVE',
              ${spec.dailyLimit ?? null}::int, ${spec.timezone ?? 'UTC'}, ${spec.maxAttempts ?? null}::int, ${this.clock.now()})
      ON CONFLICT (id) DO UPDATE SET state = 'ACTIVE', "dailyLimit" = EXCLUDED."dailyLimit",
        timezone = EXCLUDED.timezone, "maxAttempts" = EXCLUDED."maxAttempts", "updatedAt" = EXCLUDED."updatedAt"`;
    if (spec.sourceType !== 'TEST') this.kick(spec.id);
  }

  /**
   * Hands messages over (idempotent: a sourceRef already in the group is ignored). Addresses on the
   * organization's suppression list become SKIPPED. Returns the new messages' ids by sourceRef.
   * Campaigns hand over with `handOverQuery` only: their references are not in the unique index.
   */
  async handOver(
    tx: Tx,
    group: { id: string; organizationId: string; sourceType: SourceType },
    messages: MessageSpec[],
  ) {
    if (!messages.length) return new Map<string, string>();
    if (group.sourceType === 'CAMPAIGN')
      throw new Error('A campaign hands its recipients over with handOverQuery');
    await this.holdGroup(tx, group, [...new Set(messages.map((m) => m.contentId))]);
    const col = <T>(f: (m: MessageSpec) => T) => messages.map(f);
    const rows = await tx.$queryRaw<{ id: string; sourceRef: string; skipped: boolean }[]>`
      INSERT INTO "OutboundMessage" (id, "organizationId", "groupId", "sourceType", "sourceRef", "contentId", "contactId",
        "contactData", email, "senderAccountId", "nextAttemptAt", "inReplyTo", "references", "threadProviderId", status,
        "lastError", "updatedAt")
      SELECT COALESCE(u.id, uuidv7()), ${group.organizationId}::uuid, ${group.id}::uuid, ${group.sourceType}::"SourceType", u.source_ref, u.content_id,
             u.contact_id, u.contact_data, u.email, u.sender_account_id, u.not_before, u.in_reply_to,
             COALESCE(string_to_array(u.refs, ' '), '{}'), u.thread_id,
             (CASE WHEN x.id IS NULL THEN 'PENDING' ELSE 'SKIPPED' END)::"RecipientStatus",
             CASE WHEN x.id IS NULL THEN NULL ELSE ${SUPPRESSED} || ' (' || x.reason || ')' END, ${this.clock.now()}
      FROM unnest(${col((m) => m.id ?? null)}::uuid[], ${col((m) => m.sourceRef)}::uuid[], ${col((m) => m.contentId)}::uuid[], ${col((m) => m.contactId)}::uuid[],
                  ${col((m) => (m.contactData ? JSON.stringify(m.contactData) : null))}::jsonb[],
                  ${col((m) => m.email)}::text[], ${col((m) => m.senderAccountId)}::uuid[], ${col((m) => m.notBefore ?? null)}::timestamp[],
                  ${col((m) => m.thread?.inReplyTo ?? null)}::text[], ${col((m) => m.thread?.references.join(' ') ?? null)}::text[],
                  ${col((m) => m.thread?.providerThreadId ?? null)}::text[])
           AS u(id, source_ref, content_id, contact_id, contact_data, email, sender_account_id, not_before, in_reply_to, refs, thread_id)
      LEFT JOIN "Suppression" x ON x."organizationId" = ${group.organizationId}::uuid AND x.email = u.email
      ON CONFLICT ("groupId", "sourceRef") WHERE "sourceType" <> 'CAMPAIGN' DO NOTHING
      RETURNING id, "sourceRef", status = 'SKIPPED' AS skipped`;
    if (group.sourceType !== 'TEST') this.kick(group.id);
    this.reportSkipped(
      group,
      messages,
      rows.filter((r) => r.skipped),
    );
    return new Map(rows.map((r) => [r.sourceRef, r.id]));
  }

  /**
   * A source that waits on each message's outcome (a sequence) hears that a suppressed address
   * will not be sent to, once the hand-over committed. Should this process stop first, the
   * source's own sweep finds the message settled without an event and replays it.
   */
  private reportSkipped(
    group: { id: string; organizationId: string; sourceType: SourceType },
    messages: MessageSpec[],
    skipped: { id: string; sourceRef: string }[],
  ) {
    if (!skipped.length || !this.sources.reactsInTransaction(group.sourceType)) return;
    const contacts = new Map(messages.map((m) => [m.sourceRef, m.contactId]));
    const events = skipped.map((r): DeliveryEvent => ({
      type: 'failed',
      organizationId: group.organizationId,
      groupId: group.id,
      sourceType: group.sourceType,
      sourceRef: r.sourceRef,
      messageId: r.id,
      contactId: contacts.get(r.sourceRef) ?? null,
      at: this.clock.now(),
      reason: SUPPRESSED,
      failureKind: 'SUPPRESSED',
    }));
    transactionContext.afterCommit(
      () =>
        void withDbRetry(() => this.prisma.transaction((tx) => this.sources.notify(tx, events)))
          .then(() => this.sources.afterCommit(events, [{ id: group.id, sourceType: group.sourceType }]))
          .catch((e: unknown) =>
            this.logger.warn(`skipped messages of ${group.id} not reported: ${String(e)}`),
          ),
    );
  }

  /**
   * Set-based hand-over of many messages of one content (a campaign's recipients) into a group
   * that has none yet: `rows` selects `source_ref, contact_id, email, sender_account_id`, each
   * source_ref once, in the order each mailbox should send them. Runs in the database, so a
   * million rows never pass through this process. Returns how many were handed over and how many
   * were skipped.
   *
   * Cost per row is what decides whether a million-recipient start fits (docs/adr/009): ids are
   * time-ordered (uuidv7), so the id and pending indexes grow at their right edge; no foreign key
   * is checked per row; the rows are plainly inserted (no ON CONFLICT: the group is empty, held
   * KEY SHARE, and its source serializes its own start) and a campaign's messages enter neither the
   * unique index of references nor, while PENDING, the progress index. Rows should come mailbox by
   * mailbox (ordered by mailbox id), so the pending index is appended to at its right edge too:
   * interleaved mailboxes split its pages in the middle, a third more pages and 1.4 s a million.
   */
  async handOverQuery(
    tx: Tx,
    group: { id: string; organizationId: string; sourceType: SourceType },
    contentId: string,
    rows: Prisma.Sql,
  ) {
    // Sorting and hashing a million recipients fits in memory (about 64 MB each) rather than on disk
    // (work_mem for the rest of the transaction, set in the same round trip).
    const { fresh } = await this.holdGroup(tx, group, [contentId], '160MB');
    if (!fresh)
      throw new Error(`Group ${group.id} already has messages: a set-based hand-over fills an empty group`);
    const total = await tx.$executeRaw`
      INSERT INTO "OutboundMessage" (id, "organizationId", "groupId", "sourceType", "sourceRef", "contentId", "contactId",
        email, "senderAccountId", status, "lastError", "updatedAt")
      SELECT uuidv7(), ${group.organizationId}::uuid, ${group.id}::uuid, ${group.sourceType}::"SourceType", r.source_ref,
             ${contentId}::uuid, r.contact_id, r.email, r.sender_account_id,
             (CASE WHEN x.id IS NULL THEN 'PENDING' ELSE 'SKIPPED' END)::"RecipientStatus",
             CASE WHEN x.id IS NULL THEN NULL ELSE ${SUPPRESSED} || ' (' || x.reason || ')' END, ${this.clock.now()}
      FROM (${rows}) r
      LEFT JOIN "Suppression" x ON x."organizationId" = ${group.organizationId}::uuid AND x.email = r.email`;
    // The group was empty and nothing else hands over into it, so its counters (kept by the insert's
    // statement trigger) are this insert's: cheaper than RETURNING a million rows to count them.
    const { skipped } = await groupStats(tx, group.id);
    this.kick(group.id);
    return { total, skipped };
  }

  /**
   * What foreign keys checked for every row, once per hand-over (docs/adr/009): the group is the
   * organization's, of this source, and every content too. The group row is held KEY SHARE, so a
   * pause or cancel (FOR UPDATE) waits until the hand-over commits and then sees its messages.
   * Also says whether the group has no message yet, and sets `workMem` for the transaction if given.
   */
  private async holdGroup(
    tx: Tx,
    group: { id: string; organizationId: string; sourceType: SourceType },
    contentIds: string[],
    workMem?: string,
  ) {
    const [row] = await tx.$queryRaw<{ contents: bigint; fresh: boolean }[]>`
      SELECT (SELECT count(*) FROM "MessageContent"
              WHERE id = ANY(${contentIds}::uuid[]) AND "organizationId" = ${group.organizationId}::uuid) AS contents,
             NOT EXISTS (SELECT 1 FROM "OutboundMessage" WHERE "groupId" = g.id AND status = 'PENDING')
               AND NOT EXISTS (SELECT 1 FROM "OutboundMessage" WHERE "groupId" = g.id AND status <> 'PENDING') AS fresh
             ${workMem ? Prisma.sql`, set_config('work_mem', ${workMem}, true)` : Prisma.empty}
      FROM "DeliveryGroup" g
      WHERE g.id = ${group.id}::uuid AND g."organizationId" = ${group.organizationId}::uuid
        AND g."sourceType" = ${group.sourceType}::"SourceType"
      FOR KEY SHARE OF g`;
    if (!row) throw new Error(`Hand-over to group ${group.id}, which is not open for this source`);
    if (Number(row.contents) !== contentIds.length)
      throw new Error(`Hand-over to group ${group.id} names content that is not the organization's`);
    return { fresh: row.fresh };
  }

  /**
   * PAUSED: no new send starts once the caller's transaction commits (claims and hand-offs take
   * the group row KEY SHARE, this takes it FOR UPDATE); capacity reserved for waiting jobs goes back.
   */
  async pause(tx: Tx, groupId: string) {
    await this.setState(tx, groupId, 'PAUSED');
    await dropReservations(tx, Prisma.sql`"groupId" = ${groupId}::uuid`);
  }

  /** ACTIVE again; delivery picks up where it stopped once the caller's transaction commits. */
  async resume(tx: Tx, groupId: string) {
    await this.setState(tx, groupId, 'ACTIVE');
    this.kick(groupId);
  }

  /**
   * CANCELLED: no message of the group reaches a provider any more (sends already handed off
   * finish). Returns how many will not be sent; they end CANCELLED, the first ones in this
   * transaction and the rest in steps right after it (and by the recovery sweep, should this
   * process stop), so the call returns promptly whatever the group's size.
   */
  cancel(tx: Tx, groupId: string, reason: string): Promise<Settled> {
    return this.close(tx, groupId, 'CANCELLED', reason);
  }

  /** The source gave up (a campaign failed): what was not sent ends FAILED with the reason, as cancel does. */
  failUnsent(tx: Tx, groupId: string, reason: string): Promise<Settled> {
    return this.close(tx, groupId, 'FAILED', reason);
  }

  private async close(
    tx: Tx,
    groupId: string,
    state: 'CANCELLED' | 'FAILED',
    reason: string,
  ): Promise<Settled> {
    await this.setState(tx, groupId, state, reason);
    await dropReservations(tx, Prisma.sql`"groupId" = ${groupId}::uuid`);
    const stats = await groupStats(tx, groupId);
    const count = stats.pending + stats.queued;
    // A small first step keeps the caller's transaction short on a loaded database; the rest follows.
    if ((await closeUnsent(tx, groupId, FIRST_CLOSE_STEP)) >= FIRST_CLOSE_STEP) {
      transactionContext.afterCommit(() => void this.closeRest(groupId));
    }
    return { count };
  }

  /** The remaining steps of a large close, each in its own transaction. */
  private async closeRest(groupId: string) {
    try {
      while ((await withDbRetry(() => this.prisma.transaction((tx) => closeUnsent(tx, groupId)))) > 0);
    } catch (e) {
      this.logger.warn(`closing ${groupId} continues in the recovery sweep: ${String(e)}`);
    }
  }

  /**
   * Cancels the messages of these sourceRefs that have not been handed to a provider (waiting, or
   * claimed by a worker that has not handed them off: its hand-off then finds them gone). Those
   * handed off already stay as they are. A claimed message's daily-cap slot goes back. Returns the
   * sourceRefs it cancelled. Not for campaign messages: a campaign stops as a whole (`setState`,
   * the closer), and its references are not in the unique index this lookup goes through.
   */
  async cancelMessages(
    tx: Tx,
    groupId: string,
    sourceRefs: string[],
    reason = 'Cancelled',
  ): Promise<string[]> {
    if (!sourceRefs.length) return [];
    const which = Prisma.sql`"groupId" = ${groupId}::uuid AND "sourceRef" = ANY(${sourceRefs}::uuid[])
      AND "sourceType" <> 'CAMPAIGN'
      AND (status IN ('PENDING', 'QUEUED') OR (status = 'SENDING' AND "handoffAt" IS NULL))`;
    await releaseReservations(tx, which);
    const rows = await tx.$queryRaw<{ sourceRef: string }[]>`
      UPDATE "OutboundMessage" SET status = 'CANCELLED', "lastError" = ${reason}, "reservedDay" = NULL,
        "workerId" = NULL, "updatedAt" = ${DB_NOW}
      WHERE ${which}
      RETURNING "sourceRef"::text`;
    return rows.map((r) => r.sourceRef);
  }

  /**
   * FAILED messages go back to PENDING with fresh attempts (and the same Message-ID: they never
   * went out). Those whose send may have gone out (unknown outcome) stay FAILED: retrying could
   * deliver twice. Returns how many were requeued.
   */
  async retryFailed(tx: Tx, groupId: string): Promise<number> {
    const count = await tx.$executeRaw`
      UPDATE "OutboundMessage" SET status = 'PENDING', "failureKind" = NULL, attempts = 0, "nextAttemptAt" = NULL,
        "lastError" = NULL, "queuedAt" = NULL, "handoffAt" = NULL, "updatedAt" = ${DB_NOW}
      WHERE "groupId" = ${groupId}::uuid AND status = 'FAILED' AND "failureKind" IS DISTINCT FROM 'UNKNOWN_OUTCOME'`;
    if (count) this.kick(groupId);
    return count;
  }

  /**
   * Sends one handed-over message now, in this process, through the same pipeline (claim against
   * the daily cap, render, hand-off, provider, verdict) and answers with its final state. Used for
   * test emails: they skip the sending window and the gap, and a failure gives the slot back.
   */
  async sendNow(messageId: string) {
    const state = () =>
      this.prisma.db.outboundMessage.findUniqueOrThrow({
        where: { id: messageId },
        select: {
          id: true,
          status: true,
          failureKind: true,
          lastError: true,
          messageId: true,
          subject: true,
          email: true,
        },
      });
    const before = await state();
    if (before.status !== 'PENDING') return before; // skipped: the address is suppressed
    await this.sender.process(await this.dispatch.claimNow(messageId), { oneOff: true });
    const after = await state();
    if (after.status === 'FAILED' && after.failureKind === 'TEMPLATE')
      await this.sender.explainTemplateFailure(messageId);
    return after;
  }

  /** Exact counts of the group, from its counters (never a recount of its messages). */
  stats(groupId: string, tx?: Tx): Promise<GroupStats> {
    return groupStats(tx ?? this.prisma.sql, groupId);
  }

  /** The group's delivery state: daily batches and when the next starts. */
  group(groupId: string) {
    return this.prisma.db.deliveryGroup.findUnique({
      where: { id: groupId },
      select: { state: true, batchHistory: true, nextBatchAt: true, dailyLimit: true },
    });
  }

  /** The messages of the group that changed last (since their hand-over: not the PENDING ones). */
  recent(groupId: string, take = 20) {
    return this.prisma.db.outboundMessage.findMany({
      where: { groupId, status: { not: 'PENDING' } },
      orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
      take,
      select: {
        id: true,
        email: true,
        status: true,
        attempts: true,
        lastError: true,
        senderAccountId: true,
        sentAt: true,
        repliedAt: true,
        bouncedAt: true,
        updatedAt: true,
        sourceRef: true,
      },
    });
  }

  /** Locks the group row (FOR UPDATE: claims and hand-offs wait) and sets its state. */
  private async setState(
    tx: Tx,
    groupId: string,
    state: 'ACTIVE' | 'PAUSED' | 'CANCELLED' | 'FAILED',
    reason?: string,
  ) {
    await tx.$queryRaw`SELECT id FROM "DeliveryGroup" WHERE id = ${groupId}::uuid FOR UPDATE`;
    await tx.$executeRaw`
      UPDATE "DeliveryGroup" SET state = ${state}::"DeliveryGroupState", "closedReason" = ${reason ?? null}::text,
        "updatedAt" = ${DB_NOW}
      WHERE id = ${groupId}::uuid`;
  }

  /** Asks a worker to dispatch the group now (deduplicated); a no-op for a group with nothing due. */
  dispatchNow(groupId: string) {
    return this.dispatch.enqueue(groupId);
  }

  /** After the caller's transaction commits, dispatch the group (deduplicated). */
  private kick(groupId: string) {
    transactionContext.afterCommit(() => void this.dispatch.enqueue(groupId).catch(() => undefined));
  }
}
