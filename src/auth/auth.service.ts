import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG } from '../config/config.module.js';
import type { ResolvedConfig } from '../config/config.js';
import { DomainError, ErrorCode, conflict } from '../common/errors/domain-error.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { JWT_ALGORITHM } from './jwt.strategy.js';
import { LoginThrottle } from './login-throttle.js';
import { hashPassword, verifyAgainstNobody, verifyPassword } from './password.js';
import type { LoginInput, SignUpInput } from './dto/auth.input.js';

const USER_FIELDS = { id: true, email: true, name: true, createdAt: true } as const;

/** Accounts and tokens. */
@Injectable()
export class AuthService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly throttle: LoginThrottle,
  ) {}

  /** Creates the account (CONFLICT on a taken address) and signs it in. */
  async signUp(input: SignUpInput) {
    const exists = await this.prisma.db.user.findUnique({
      where: { email: input.email },
      select: { id: true },
    });
    if (exists) throw conflict('An account with this email already exists', { field: 'email' });
    const user = await this.prisma.db.user.create({
      data: {
        email: input.email,
        name: input.name ?? null,
        passwordHash: await hashPassword(input.password),
      },
      select: USER_FIELDS,
    });
    return this.issue(user);
  }

  /**
   * Signs in. An unknown address and a wrong password get the same UNAUTHENTICATED answer after
   * the same work (a password check against a dummy hash); too many failures for the address or
   * from the client are RATE_LIMITED with `retryAfterSeconds`, whatever the password.
   */
  async login(input: LoginInput, clientAddress?: string) {
    await this.throttle.attempt(input.email, clientAddress);
    const user = await this.prisma.db.user.findUnique({ where: { email: input.email } });
    const ok = user
      ? await verifyPassword(user.passwordHash, input.password)
      : await verifyAgainstNobody(input.password);
    if (!user || !ok) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Email or password is incorrect');
    await this.throttle.succeeded(input.email, clientAddress);
    return this.issue({ id: user.id, email: user.email, name: user.name, createdAt: user.createdAt });
  }

  async me(userId: string) {
    return this.prisma.db.user.findUniqueOrThrow({ where: { id: userId }, select: USER_FIELDS });
  }

  /** Signs a token for the user: HS256, issuer, audience and expiry from the configuration. */
  issue(user: { id: string; email: string; name: string | null; createdAt: Date }) {
    const accessToken = this.jwt.sign(
      { email: user.email },
      {
        subject: user.id,
        algorithm: JWT_ALGORITHM,
        issuer: this.config.jwt.issuer,
        audience: this.config.jwt.audience,
        expiresIn: this.config.jwt.ttlSeconds,
        secret: this.config.jwt.secret,
      },
    );
    return { accessToken, expiresIn: this.config.jwt.ttlSeconds, user };
  }
}
