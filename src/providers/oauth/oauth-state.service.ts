import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Clock } from '../../common/clock/clock.js';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import {
  signState,
  stateKey,
  verifyState,
  type OAuthStateClaims,
  type OAuthStateProblem,
} from './oauth-state.js';

/**
 * Issues and consumes the `state` of consent URLs: signed (HMAC), short-lived
 * (OAUTH_STATE_TTL_SECONDS) and single-use — consuming one sets its nonce in Redis with SET NX,
 * so a replayed callback finds it taken.
 */
@Injectable()
export class OAuthStateService implements OnModuleDestroy {
  private readonly key: Buffer;
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly ttlMs: number;

  constructor(
    @Inject(APP_CONFIG) config: ResolvedConfig,
    private readonly clock: Clock,
  ) {
    this.key = stateKey(config.jwt.secret);
    this.redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true });
    this.prefix = `${config.queue.prefix}:oauth-state:`;
    this.ttlMs = config.oauth.stateTtlSeconds * 1000;
  }

  issue(provider: OAuthStateClaims['provider'], organizationId: string, userId: string): string {
    return signState(this.key, {
      provider,
      organizationId,
      userId,
      expiresAt: this.clock.now().getTime() + this.ttlMs,
    });
  }

  /** The state's claims, once; afterwards (or when forged, expired, for another provider) the problem. */
  async consume(
    state: string,
    provider: OAuthStateClaims['provider'],
  ): Promise<OAuthStateClaims | OAuthStateProblem | 'used'> {
    const now = this.clock.now().getTime();
    const claims = verifyState(this.key, state, provider, now);
    if (typeof claims === 'string') return claims;
    const first = await this.redis.set(
      this.prefix + claims.nonce,
      '1',
      'PX',
      Math.max(1, claims.expiresAt - now),
      'NX',
    );
    return first === 'OK' ? claims : 'used';
  }

  async onModuleDestroy() {
    this.redis.disconnect();
  }
}
