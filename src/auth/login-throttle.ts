import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError, ErrorCode } from '../common/errors/domain-error.js';
import type { ResolvedConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';

/** Too many failed logins: try again after `retryAfterSeconds`. */
export const tooManyLogins = (retryAfterSeconds: number) =>
  new DomainError(
    ErrorCode.RATE_LIMITED,
    `Too many failed sign-in attempts; try again in ${retryAfterSeconds} seconds`,
    { retryAfterSeconds },
  );

/**
 * Failed logins per account (the address typed, known or not) and per client address, counted in
 * Redis so every API process shares them. An attempt counts before the password is checked (so
 * parallel guesses cannot slip past the limit); a success takes it back. Over either limit, the
 * attempt is refused without checking the password, the right one included. While Redis is
 * unreachable each process keeps counting in memory.
 */
@Injectable()
export class LoginThrottle implements OnModuleDestroy {
  private readonly redis: Redis;
  private readonly byAccount: RateLimiterRedis;
  private readonly byAddress: RateLimiterRedis;

  constructor(@Inject(APP_CONFIG) config: ResolvedConfig) {
    const { maxFailuresPerAccount, maxFailuresPerAddress, windowSeconds } = config.login;
    this.redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
    this.redis.on('error', () => undefined); // the in-memory insurance takes over; ioredis reconnects
    const limiter = (name: string, points: number) =>
      new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${config.queue.prefix}:login:${name}`,
        points,
        duration: windowSeconds,
        insuranceLimiter: new RateLimiterMemory({ points, duration: windowSeconds }),
      });
    this.byAccount = limiter('account', maxFailuresPerAccount);
    this.byAddress = limiter('address', maxFailuresPerAddress);
  }

  /** Counts the attempt; throws RATE_LIMITED when the account or the address is over its limit. */
  async attempt(email: string, clientAddress?: string): Promise<void> {
    const results: [RateLimiterRes, number][] = [
      [await this.byAccount.penalty(email), this.byAccount.points],
      ...(clientAddress
        ? [[await this.byAddress.penalty(clientAddress), this.byAddress.points] as [RateLimiterRes, number]]
        : []),
    ];
    const over = results.filter(([r, points]) => r.consumedPoints > points).map(([r]) => r.msBeforeNext);
    if (over.length) throw tooManyLogins(Math.max(1, Math.ceil(Math.max(...over) / 1000)));
  }

  /** A successful login: the account starts afresh, and the attempt no longer counts for the address. */
  async succeeded(email: string, clientAddress?: string): Promise<void> {
    await this.byAccount.delete(email);
    if (clientAddress) await this.byAddress.reward(clientAddress);
  }

  async onModuleDestroy() {
    this.redis.disconnect();
  }
}
