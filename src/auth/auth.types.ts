import type { Role } from '../generated/prisma/enums.js';

/** The verified caller, from the JWT. */
export interface AuthUser {
  id: string;
  email: string;
}

/** The active organization of this operation, checked against the caller's membership. */
export interface OrgContext {
  organizationId: string;
  role: Role;
  userId: string;
  /** The least role the operation needs (subscriptions re-check it while they run). */
  requiredRole?: Role;
}

export interface JwtClaims {
  sub: string;
  email: string;
}

export const ROLE_RANK: Record<Role, number> = { VIEWER: 0, MEMBER: 1, ADMIN: 2, OWNER: 3 };

/** Request-like object the guards read; for subscriptions it is built from connectionParams. */
export interface AuthRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: AuthUser;
  org?: OrgContext;
}
