import { Injectable } from '@nestjs/common';
import { conflict, forbidden, isUuid, notFound } from '../common/errors/domain-error.js';
import type { Role } from '../generated/prisma/enums.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { ROLE_RANK, type OrgContext } from './auth.types.js';
import { SubscriptionAccess } from './subscription-access.js';

/**
 * The members of an organization. Managers (ADMIN, OWNER) act only on members whose role is not
 * above their own and grant no role above their own; an organization always keeps an OWNER.
 * Every change tells running subscriptions to re-check the member's access.
 */
@Injectable()
export class MembersService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: SubscriptionAccess,
  ) {}

  /** The organization's members, oldest first. */
  async list(organizationId: string) {
    const rows = await this.prisma.db.membership.findMany({
      where: { organizationId },
      include: { user: { select: { email: true, name: true } } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map((m) => ({
      userId: m.userId,
      email: m.user.email,
      name: m.user.name,
      role: m.role,
      joinedAt: m.createdAt,
    }));
  }

  /** Gives a member another role. */
  async changeRole(org: OrgContext, userId: string, role: Role) {
    await this.prisma.transaction(async (tx) => {
      const target = await this.manageable(tx, org, userId);
      if (ROLE_RANK[role] > ROLE_RANK[org.role])
        throw forbidden(`You cannot grant ${role}: you are ${org.role}`);
      if (target.role === 'OWNER' && role !== 'OWNER') await this.keepAnOwner(tx, org.organizationId);
      await tx.membership.update({ where: { id: target.id }, data: { role } });
    });
    await this.access.accessChanged(org.organizationId, userId);
    return (await this.list(org.organizationId)).find((m) => m.userId === userId)!;
  }

  /** Removes a member from the organization; their running subscriptions end. */
  async remove(org: OrgContext, userId: string) {
    const removed = await this.prisma.transaction(async (tx) => {
      const target = await this.manageable(tx, org, userId);
      if (target.role === 'OWNER') await this.keepAnOwner(tx, org.organizationId);
      await tx.membership.delete({ where: { id: target.id } });
      return target;
    });
    await this.access.accessChanged(org.organizationId, userId);
    return removed;
  }

  /** The member, locked with every membership of the organization (so owner counts hold). */
  private async manageable(tx: Tx, org: OrgContext, userId: string) {
    if (!isUuid(userId)) throw notFound('Member', userId);
    const rows = await tx.$queryRaw<{ id: string; userId: string; role: Role; createdAt: Date }[]>`
      SELECT id, "userId", role, "createdAt" FROM "Membership"
      WHERE "organizationId" = ${org.organizationId}::uuid ORDER BY id FOR UPDATE`;
    const target = rows.find((r) => r.userId === userId);
    if (!target) throw notFound('Member', userId);
    if (ROLE_RANK[target.role] > ROLE_RANK[org.role])
      throw forbidden(`You cannot manage a member who is ${target.role}: you are ${org.role}`);
    const user = await tx.user.findUniqueOrThrow({
      where: { id: userId },
      select: { email: true, name: true },
    });
    return { ...target, email: user.email, name: user.name, joinedAt: target.createdAt };
  }

  private async keepAnOwner(tx: Tx, organizationId: string) {
    const owners = await tx.membership.count({ where: { organizationId, role: 'OWNER' } });
    if (owners <= 1)
      throw conflict('An organization needs at least one OWNER; make someone else OWNER first');
  }
}
