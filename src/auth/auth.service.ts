import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG } from '../config/config.module.js';
import type { ResolvedConfig } from '../config/config.js';
import { DomainError, ErrorCode, conflict } from '../common/errors/domain-error.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { JWT_ALGORITHM } from './jwt.strategy.js';
import { hashPassword, verifyPassword } from './password.js';
import type { LoginInput, SignUpInput } from './dto/auth.input.js';

const USER_FIELDS = { id: true, email: true, name: true, createdAt: true } as const;

/** Accounts and tokens. */
@Injectable()
export class AuthService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
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

  /** Signs in; the same UNAUTHENTICATED answer for an unknown address and a wrong password. */
  async login(input: LoginInput) {
    const user = await this.prisma.db.user.findUnique({ where: { email: input.email } });
    if (!user || !(await verifyPassword(user.passwordHash, input.password))) {
      throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Email or password is incorrect');
    }
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
