import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { APP_CONFIG } from '../config/config.module.js';
import type { ResolvedConfig } from '../config/config.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { AuthUser, JwtClaims } from './auth.types.js';

export const JWT_ALGORITHM = 'HS256' as const;

/** Whether `token` (header.payload.signature) carries an HS256 signature made with `secret`. */
function signedWith(token: string, secret: string): boolean {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return false;
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Verifies signature, algorithm, issuer, audience and expiry (a token without one is refused),
 * then that the user still exists. During a rotation, tokens signed with JWT_PREVIOUS_SECRET are
 * accepted until they expire; new tokens are always signed with JWT_SECRET.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: ResolvedConfig,
    private readonly prisma: PrismaService,
  ) {
    const { secret, previousSecret } = config.jwt;
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // The key that signed it, when it is the previous one; passport-jwt then verifies everything.
      secretOrKeyProvider: (_req: unknown, token: string, done: (e: null, key: string) => void) =>
        done(
          null,
          previousSecret && !signedWith(token, secret) && signedWith(token, previousSecret)
            ? previousSecret
            : secret,
        ),
      algorithms: [JWT_ALGORITHM],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ignoreExpiration: false,
    });
  }

  async validate(claims: JwtClaims & { exp?: unknown }): Promise<AuthUser | false> {
    if (typeof claims.exp !== 'number') return false; // every token must expire
    const user = await this.prisma.db.user.findUnique({
      where: { id: claims.sub },
      select: { id: true, email: true },
    });
    return user ?? false;
  }
}
