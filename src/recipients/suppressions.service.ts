import { Injectable } from '@nestjs/common';
import { notFound } from '../common/errors/domain-error.js';
import { paginate } from '../common/pagination/connection.js';
import type { SuppressionReason } from '../generated/prisma/enums.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { normalizeEmail } from './contact-fields.js';
import { clientOf } from './db-client.js';
import type { AddSuppressionInput } from './dto/suppression.input.js';

/**
 * The organization's do-not-send list. Addresses are matched trimmed and lower-cased. Inside a
 * `PrismaService.transaction` every method reads and writes through that transaction.
 */
@Injectable()
export class SuppressionsService {
  constructor(private readonly prisma: PrismaService) {}

  private get db() {
    return clientOf(this.prisma);
  }

  /** True when the organization must not send to the address. */
  async isSuppressed(organizationId: string, email: string): Promise<boolean> {
    const found = await this.db.suppression.findUnique({
      where: { organizationId_email: { organizationId, email: normalizeEmail(email) } },
      select: { id: true },
    });
    return found !== null;
  }

  /**
   * Suppresses the address (idempotent): a known address takes the new reason, and the note
   * when one is given. For tracking (unsubscribes, complaints) and delivery (hard bounces).
   */
  async suppress(organizationId: string, email: string, reason: SuppressionReason, note?: string | null) {
    const address = normalizeEmail(email);
    return this.db.suppression.upsert({
      where: { organizationId_email: { organizationId, email: address } },
      create: { organizationId, email: address, reason, note: note ?? null },
      update: { reason, ...(note != null && { note }) },
    });
  }

  /** Suppresses by hand; an already suppressed address keeps what is not given again. */
  async add(organizationId: string, input: AddSuppressionInput) {
    return this.db.suppression.upsert({
      where: { organizationId_email: { organizationId, email: input.email } },
      create: {
        organizationId,
        email: input.email,
        reason: input.reason ?? 'MANUAL',
        note: input.note ?? null,
      },
      update: { reason: input.reason, note: input.note },
    });
  }

  /** Lifts the suppression; NOT_FOUND when the address is not suppressed. */
  async remove(organizationId: string, email: string): Promise<true> {
    const address = normalizeEmail(email);
    const { count } = await this.db.suppression.deleteMany({ where: { organizationId, email: address } });
    if (!count) throw notFound('Suppression of', address);
    return true;
  }

  /** A page of suppressed addresses, newest first. */
  async page(organizationId: string, args: { first?: number; after?: string }) {
    const where = { organizationId };
    return paginate(
      args,
      (q) =>
        this.db.suppression.findMany({ where: { AND: [where, q.where] }, orderBy: q.orderBy, take: q.take }),
      () => this.db.suppression.count({ where }),
    );
  }
}
