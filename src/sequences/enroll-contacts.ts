import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock/clock.js';
import { badInput, conflict } from '../common/errors/domain-error.js';
import { recordEvent, type Actor } from '../common/events/event-log.js';
import type { EnrollmentStatus } from '../generated/prisma/enums.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { assignMailboxes } from './core/mailbox-assignment.js';
import type { EnrollContactsInput } from './dto/enrollment.input.js';
import { addTimeline } from './enrollment-timeline.js';
import { EnrollmentSkipReason } from './models/enrollment.model.js';
import { notFoundIn } from './sequences.errors.js';
import { SequencesService } from './sequences.service.js';
import { SequenceWakeups } from './engine/sequence-wakeups.js';

interface Candidate {
  id: string;
  email: string;
  suppressed: boolean;
  replied: boolean;
  lastStatus: EnrollmentStatus | null;
  lastAttempt: number | null;
}

const SKIPS_SHOWN = 1000;
const INSERT_CHUNK = 5000;

/**
 * `enrollContacts`: idempotent. A contact is in a sequence once; a second call skips it
 * (ALREADY_ENROLLED), and after its enrollment ended only `reenroll` enrolls it again. Suppressed
 * addresses and contacts who replied to an earlier email are skipped with the reason. Each new
 * enrollment gets one mailbox for all its emails, round-robin weighted by daily cap and current load.
 * The sequence row is locked, so concurrent calls for one sequence serialize.
 */
@Injectable()
export class EnrollContacts {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sequences: SequencesService,
    private readonly clock: Clock,
    private readonly wakeups: SequenceWakeups,
  ) {}

  async run(organizationId: string, actor: Actor, input: EnrollContactsInput) {
    const contactIds = input.contactIds ?? [];
    const listIds = input.listIds ?? [];
    if (!contactIds.length && !listIds.length)
      throw badInput('contactIds', 'Give contactIds, listIds or both');
    return this.prisma.transaction(
      async (tx) => {
        const sequence = await this.sequences.lockFor(tx, organizationId, input.sequenceId, 'enroll');
        await this.assertOwned(tx, organizationId, contactIds, listIds);
        const candidates = await this.candidates(tx, organizationId, sequence.id, contactIds, listIds);
        const skips: { contactId: string; email: string; reason: EnrollmentSkipReason }[] = [];
        const chosen: (Candidate & { attempt: number })[] = [];
        for (const c of candidates) {
          const reason = skipReason(c, input.reenroll ?? false);
          if (reason) skips.push({ contactId: c.id, email: c.email, reason });
          else chosen.push({ ...c, attempt: (c.lastAttempt ?? 0) + 1 });
        }
        const mailboxes = await this.mailboxes(tx, sequence.id);
        if (chosen.length && !mailboxes.length)
          throw conflict('The sequence has no ACTIVE mailbox: connect one or add another to the sequence');
        const assigned = assignMailboxes(mailboxes, chosen.length);
        const version = await tx.sequenceVersion.findUniqueOrThrow({
          where: { sequenceId_version: { sequenceId: sequence.id, version: sequence.currentVersion! } },
          include: { steps: { where: { position: 0 }, select: { id: true } } },
        });
        const now = this.clock.now();
        const held = sequence.status === 'PAUSED';
        const created: { id: string; contactId: string }[] = [];
        for (let i = 0; i < chosen.length; i += INSERT_CHUNK) {
          const chunk = chosen.slice(i, i + INSERT_CHUNK);
          created.push(
            ...(await tx.$queryRaw<{ id: string; contactId: string }[]>`
              INSERT INTO "SequenceEnrollment" ("organizationId", "sequenceId", "contactId", attempt, "versionId",
                version, "senderAccountId", status, "pausedWithSequence", "currentStepKey", "stepEnteredAt",
                "dueAt", "enrolledAt", "pausedAt")
              SELECT ${organizationId}::uuid, ${sequence.id}::uuid, c.contact_id, c.attempt, ${version.id}::uuid,
                ${version.version}, c.mailbox, ${held ? 'PAUSED' : 'ACTIVE'}::"EnrollmentStatus", ${held},
                ${version.entryStepKey}, t.at, t.at, t.at, CASE WHEN ${held} THEN t.at END
              FROM unnest(${chunk.map((c) => c.id)}::uuid[], ${chunk.map((c) => c.attempt)}::int[],
                          ${assigned.slice(i, i + INSERT_CHUNK)}::uuid[]) AS c(contact_id, attempt, mailbox),
                   (SELECT (${now.toISOString()}::timestamptz AT TIME ZONE 'UTC') AS at) t
              ON CONFLICT ("sequenceId", "contactId", attempt) DO NOTHING
              RETURNING id::text, "contactId"::text`),
          );
        }
        if (!held && created.length) this.wakeups.at([now]);
        await addTimeline(
          tx,
          created.map((e) => ({
            organizationId,
            enrollmentId: e.id,
            type: 'ENROLLED' as const,
            at: now,
            version: version.version,
            stepKey: version.entryStepKey,
          })),
        );
        await tx.sequenceStepStats.update({
          where: { stepId: version.steps[0].id },
          data: { entered: { increment: created.length } },
        });
        await recordEvent(
          tx,
          organizationId,
          'sequence.enrolled',
          actor,
          { sequenceId: sequence.id },
          { enrolled: created.length },
        );
        return { enrolled: created.length, skipped: skips.length, skips: skips.slice(0, SKIPS_SHOWN) };
      },
      { timeout: 60_000 },
    );
  }

  /** The contacts named, by id or list, with what decides whether they may be enrolled. */
  private candidates(
    tx: Tx,
    organizationId: string,
    sequenceId: string,
    contactIds: string[],
    listIds: string[],
  ) {
    return tx.$queryRaw<Candidate[]>`
      SELECT c.id::text, c.email,
        EXISTS (SELECT 1 FROM "Suppression" s WHERE s."organizationId" = c."organizationId" AND s.email = c.email) AS suppressed,
        EXISTS (SELECT 1 FROM "SequenceEnrollment" r WHERE r."contactId" = c.id AND r."repliedAt" IS NOT NULL) AS replied,
        last.status AS "lastStatus", last.attempt AS "lastAttempt"
      FROM "Contact" c
      LEFT JOIN LATERAL (
        SELECT e.status, e.attempt FROM "SequenceEnrollment" e
        WHERE e."sequenceId" = ${sequenceId}::uuid AND e."contactId" = c.id ORDER BY e.attempt DESC LIMIT 1
      ) last ON true
      WHERE c."organizationId" = ${organizationId}::uuid
        AND (c.id = ANY(${contactIds}::uuid[]) OR c.id IN (
          SELECT m."contactId" FROM "ContactListMember" m WHERE m."listId" = ANY(${listIds}::uuid[])))
      ORDER BY c."createdAt", c.id`;
  }

  /** The sequence's ACTIVE mailboxes in round-robin order, with the live enrollments each carries. */
  private async mailboxes(tx: Tx, sequenceId: string) {
    const rows = await tx.$queryRaw<{ id: string; dailyCap: number; load: bigint }[]>`
      SELECT a.id::text, a."dailyCap",
        (SELECT count(*) FROM "SequenceEnrollment" e
         WHERE e."senderAccountId" = a.id AND e.status IN ('ACTIVE', 'PAUSED')) AS load
      FROM "SequenceSenderAccount" l JOIN "SenderAccount" a ON a.id = l."senderAccountId"
      WHERE l."sequenceId" = ${sequenceId}::uuid AND a.status = 'ACTIVE'
      ORDER BY l.position`;
    return rows.map((r) => ({ ...r, load: Number(r.load) }));
  }

  private async assertOwned(tx: Tx, organizationId: string, contactIds: string[], listIds: string[]) {
    if (contactIds.length) {
      const found = await tx.contact.findMany({
        where: { organizationId, id: { in: contactIds } },
        select: { id: true },
      });
      const known = new Set(found.map((f) => f.id));
      const missing = contactIds.find((id) => !known.has(id));
      if (missing) throw notFoundIn('contactIds', 'Contact', missing);
    }
    if (listIds.length) {
      const found = await tx.contactList.findMany({
        where: { organizationId, id: { in: listIds } },
        select: { id: true },
      });
      const missing = listIds.find((id) => !found.some((f) => f.id === id));
      if (missing) throw notFoundIn('listIds', 'Contact list', missing);
    }
  }
}

function skipReason(c: Candidate, reenroll: boolean): EnrollmentSkipReason | null {
  if (c.lastStatus === 'ACTIVE' || c.lastStatus === 'PAUSED') return EnrollmentSkipReason.ALREADY_ENROLLED;
  if (c.lastStatus && !reenroll) return EnrollmentSkipReason.ENDED_BEFORE;
  if (c.suppressed) return EnrollmentSkipReason.SUPPRESSED;
  if (c.replied) return EnrollmentSkipReason.ALREADY_REPLIED;
  return null;
}
