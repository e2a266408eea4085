import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { APP_CONFIG } from '../config/config.module.js';
import type { ResolvedConfig } from '../config/config.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { AuthUser, JwtClaims } from './auth.types.js';

export const JWT_ALGORITHM = 'HS256' as const;

/** Verifies signature, algorithm, issuer, audience and expiry, then that the user still exists. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: ResolvedConfig,
    private readonly prisma: PrismaService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwt.secret,
      algorithms: [JWT_ALGORITHM],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ignoreExpiration: false,
    });
  }

  async validate(claims: JwtClaims): Promise<AuthUser | false> {
    const user = await this.prisma.db.user.findUnique({
      where: { id: claims.sub },
      select: { id: true, email: true },
    });
    return user ?? false;
  }
}
