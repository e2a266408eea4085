import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { badInput, forbidden } from '../../common/errors/domain-error.js';
import type { Role } from '../../generated/prisma/enums.js';
import { ROLE_RANK } from '../auth.types.js';
import { IS_PUBLIC, MIN_ROLE, requestOf, USER_SCOPED } from '../decorators.js';
import { MembershipService } from '../membership.service.js';

export const ORG_HEADER = 'x-organization-id';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Global guard, after the JWT guard: resolves the active organization from `x-organization-id`
 * (subscriptions: connectionParams.organizationId), checks the caller's membership and role, and
 * puts it on the request for @CurrentOrg(). The same guard serves queries, mutations and subscriptions.
 */
@Injectable()
export class OrganizationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly memberships: MembershipService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = requestOf(ctx);
    const raw = req.headers[ORG_HEADER];
    const organizationId = Array.isArray(raw) ? raw[0] : raw;
    const userScoped = this.reflector.getAllAndOverride<boolean>(USER_SCOPED, targets);
    if (!organizationId) {
      if (userScoped) return true;
      throw badInput(ORG_HEADER, `Choose the active organization with the ${ORG_HEADER} header`);
    }
    if (!UUID.test(organizationId) || !req.user) throw forbidden();
    const role = await this.memberships.roleOf(req.user.id, organizationId);
    if (!role) throw forbidden();
    const needed = this.reflector.getAllAndOverride<Role>(MIN_ROLE, targets) ?? this.defaultRole(ctx);
    if (ROLE_RANK[role] < ROLE_RANK[needed]) {
      throw forbidden(`This needs the ${needed} role or higher; you are ${role}`);
    }
    req.org = { organizationId, role, userId: req.user.id, requiredRole: needed };
    return true;
  }

  private defaultRole(ctx: ExecutionContext): Role {
    if (ctx.getType<string>() !== 'graphql') return 'VIEWER';
    const op = GqlExecutionContext.create(ctx).getInfo<{ operation: { operation: string } }>().operation
      .operation;
    return op === 'mutation' ? 'MEMBER' : 'VIEWER';
  }
}
