import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { unauthenticated } from '../../common/errors/domain-error.js';
import { IS_PUBLIC, requestOf } from '../decorators.js';

/** Global guard: every operation needs a valid bearer token unless marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(ctx: ExecutionContext) {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()])) return true;
    return super.canActivate(ctx);
  }

  override getRequest(ctx: ExecutionContext) {
    return requestOf(ctx);
  }

  override handleRequest<T>(err: unknown, user: T): T {
    if (err || !user) throw unauthenticated();
    return user;
  }
}
