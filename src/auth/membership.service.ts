import { Injectable } from '@nestjs/common';
import type { Role } from '../generated/prisma/enums.js';
import { PrismaService } from '../prisma/prisma.service.js';

/** Who belongs to which organization, with which role. */
@Injectable()
export class MembershipService {
  constructor(private readonly prisma: PrismaService) {}

  /** The user's role in the organization, or null when not a member. */
  async roleOf(userId: string, organizationId: string): Promise<Role | null> {
    const m = await this.prisma.db.membership.findUnique({
      where: { userId_organizationId: { userId, organizationId } },
      select: { role: true },
    });
    return m?.role ?? null;
  }
}
