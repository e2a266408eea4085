import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Role } from '../generated/prisma/enums.js';
import type { AuthRequest } from './auth.types.js';

// Shared with routes outside auth (health, playground), so it lives in common.
export { IS_PUBLIC, Public } from '../common/auth/public.js';

export const USER_SCOPED = 'auth:user-scoped';
export const MIN_ROLE = 'auth:min-role';

/** Needs a token but no active organization (me, organizations, createOrganization). */
export const UserScoped = () => SetMetadata(USER_SCOPED, true);
/**
 * The least role the caller needs in the active organization. Without it, queries and
 * subscriptions need VIEWER and mutations MEMBER.
 */
export const MinRole = (role: Role) => SetMetadata(MIN_ROLE, role);

export function requestOf(ctx: ExecutionContext): AuthRequest {
  if (ctx.getType<string>() === 'graphql')
    return GqlExecutionContext.create(ctx).getContext<{ req: AuthRequest }>().req;
  return ctx.switchToHttp().getRequest<AuthRequest>();
}

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext) => requestOf(ctx).user);
export const CurrentOrg = createParamDecorator((_: unknown, ctx: ExecutionContext) => requestOf(ctx).org);

/**
 * The client's IP address as Express sees it (`req.ip`, which honours TRUST_PROXY), for rate
 * limits; undefined where there is none (WebSocket operations).
 */
export const ClientAddress = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const req = requestOf(ctx) as AuthRequest & { ip?: string };
  return typeof req.ip === 'string' ? req.ip : undefined;
});
