import { Injectable } from '@nestjs/common';
import { PubSubService } from '../common/pubsub/pubsub.service.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { OrgContext } from './auth.types.js';
import type { CreateOrganizationInput, UpdateOrganizationInput } from './dto/create-organization.input.js';

/** Organizations as their members see them. */
@Injectable()
export class OrganizationsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly pubsub: PubSubService,
  ) {}

  /** Creates the organization with the caller as OWNER. */
  async create(userId: string, input: CreateOrganizationInput) {
    const org = await this.prisma.db.organization.create({
      data: {
        name: input.name.trim(),
        timezone: input.timezone ?? 'UTC',
        memberships: { create: { userId, role: 'OWNER' } },
      },
    });
    return { ...org, role: 'OWNER' as const };
  }

  /** The organizations the user belongs to, with the user's role in each. */
  async listForUser(userId: string) {
    const memberships = await this.prisma.db.membership.findMany({
      where: { userId },
      include: { organization: true },
      orderBy: { createdAt: 'asc' },
    });
    return memberships.map((m) => ({ ...m.organization, role: m.role }));
  }

  /** The active organization. */
  async current(org: OrgContext) {
    const found = await this.prisma.db.organization.findUniqueOrThrow({ where: { id: org.organizationId } });
    return { ...found, role: org.role };
  }

  /** Renames or re-zones the active organization and tells its subscribers. */
  async update(org: OrgContext, input: UpdateOrganizationInput) {
    const updated = await this.prisma.db.organization.update({
      where: { id: org.organizationId },
      data: { name: input.name?.trim(), timezone: input.timezone },
    });
    await this.pubsub.publish(org.organizationId, 'organization.updated', {
      organizationId: updated.id,
      name: updated.name,
      timezone: updated.timezone,
      updatedAt: updated.updatedAt,
    });
    return { ...updated, role: org.role };
  }

  /** Organization changes, as a subscription; only ever the caller's own organization's channel. */
  updates(org: OrgContext) {
    return this.pubsub.subscribe(org.organizationId, 'organization.updated');
  }
}
