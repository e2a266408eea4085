import { Injectable } from '@nestjs/common';
import { paginate } from '../common/pagination/connection.js';
import type { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { ContactFields } from './contact-fields.js';
import { clientOf } from './db-client.js';

/** Rows per INSERT statement: big enough to be fast, small enough to keep statements modest. */
const UPSERT_CHUNK = 5000;

export interface ContactFilter {
  listId?: string;
  search?: string;
}

/** The recipients context's SQL: set-based contact upserts, list membership, contact pages. */
@Injectable()
export class ContactsRepository {
  constructor(private readonly prisma: PrismaService) {}

  private get db() {
    return clientOf(this.prisma);
  }

  /**
   * Refreshes the planner's statistics of contacts and list members. Outside any transaction:
   * ANALYZE samples the tables and does not block reads or writes.
   */
  async refreshStatistics(): Promise<void> {
    await this.prisma.sql.$executeRaw`ANALYZE "Contact", "ContactListMember"`;
  }

  /** Locks the organization's list against deletion for the current transaction; false when it is not theirs. */
  async lockList(organizationId: string, listId: string): Promise<boolean> {
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "ContactList"
      WHERE "id" = ${listId}::uuid AND "organizationId" = ${organizationId}::uuid
      FOR SHARE`;
    return rows.length > 0;
  }

  /**
   * Inserts or updates contacts by (organizationId, email), one statement per chunk: given fields
   * overwrite, null ones keep the stored value, attributes are merged. Emails must be distinct.
   */
  async upsert(
    organizationId: string,
    contacts: ContactFields[],
  ): Promise<{ id: string; inserted: boolean }[]> {
    // A fixed order keeps concurrent imports of overlapping files from deadlocking.
    const sorted = [...contacts].sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
    const saved: { id: string; inserted: boolean }[] = [];
    for (let i = 0; i < sorted.length; i += UPSERT_CHUNK) {
      const chunk = sorted.slice(i, i + UPSERT_CHUNK);
      const column = <K extends keyof ContactFields>(k: K) => chunk.map((c) => c[k]);
      saved.push(
        ...(await this.db.$queryRaw<{ id: string; inserted: boolean }[]>`
          INSERT INTO "Contact"
            ("organizationId", "email", "firstName", "lastName", "company", "timezone", "attributes",
             "createdAt", "updatedAt")
          SELECT ${organizationId}::uuid, r.email, r.first_name, r.last_name, r.company, r.timezone,
                 r.attributes, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM unnest(
            ${column('email')}::text[], ${column('firstName')}::text[], ${column('lastName')}::text[],
            ${column('company')}::text[], ${column('timezone')}::text[],
            ${chunk.map((c) => JSON.stringify(c.attributes))}::text[]::jsonb[]
          ) AS r(email, first_name, last_name, company, timezone, attributes)
          ON CONFLICT ("organizationId", "email") DO UPDATE SET
            "firstName"  = COALESCE(EXCLUDED."firstName", "Contact"."firstName"),
            "lastName"   = COALESCE(EXCLUDED."lastName", "Contact"."lastName"),
            "company"    = COALESCE(EXCLUDED."company", "Contact"."company"),
            "timezone"   = COALESCE(EXCLUDED."timezone", "Contact"."timezone"),
            "attributes" = "Contact"."attributes" || EXCLUDED."attributes",
            "updatedAt"  = EXCLUDED."updatedAt"
          RETURNING "id"::text AS "id", (xmax = 0) AS "inserted"`),
      );
    }
    return saved;
  }

  /** Adds the organization's contacts to its list; returns how many were not members yet. */
  async addToList(organizationId: string, listId: string, contactIds: string[]): Promise<number> {
    if (!contactIds.length) return 0;
    return this.db.$executeRaw`
      INSERT INTO "ContactListMember" ("listId", "contactId", "addedAt")
      SELECT l."id", c."id", now() AT TIME ZONE 'UTC'
      FROM "ContactList" l
      JOIN "Contact" c ON c."organizationId" = l."organizationId"
      WHERE l."id" = ${listId}::uuid AND l."organizationId" = ${organizationId}::uuid
        AND c."id" = ANY(${contactIds}::uuid[])
      ON CONFLICT DO NOTHING`;
  }

  /** A page of the organization's contacts, newest first. */
  async page(organizationId: string, filter: ContactFilter, page: { first?: number; after?: string }) {
    const where: Prisma.ContactWhereInput = { organizationId };
    if (filter.listId) where.lists = { some: { listId: filter.listId } };
    if (filter.search) {
      const contains = { contains: filter.search, mode: 'insensitive' } as const;
      where.OR = [
        { email: contains },
        { firstName: contains },
        { lastName: contains },
        { company: contains },
      ];
    }
    return paginate(
      page,
      (q) => this.db.contact.findMany({ where: { AND: [where, q.where] }, orderBy: q.orderBy, take: q.take }),
      () => this.db.contact.count({ where }),
    );
  }
}
