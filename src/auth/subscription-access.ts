import { Inject, Injectable, Logger } from '@nestjs/common';
import { Subscription, type ReturnTypeFunc, type SubscriptionOptions } from '@nestjs/graphql';
import { forbidden, unauthenticated, type DomainError } from '../common/errors/domain-error.js';
import { PubSubService } from '../common/pubsub/pubsub.service.js';
import type { ResolvedConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { ROLE_RANK, type OrgContext } from './auth.types.js';

/** What a guarded subscription yields last when its subscriber lost access. */
export class AccessRevoked {
  constructor(readonly error: DomainError) {}
}

/**
 * @Subscription for organization-scoped data, to be used with SubscriptionAccess.guard: the
 * subscriber gets the error of a revoked access as the last event, then the subscription ends.
 */
export function GuardedSubscription(typeFunc: ReturnTypeFunc, options: SubscriptionOptions = {}) {
  const resolve = options.resolve as ((payload: unknown, ...rest: unknown[]) => unknown) | undefined;
  return Subscription(typeFunc, {
    ...options,
    resolve: (payload: unknown, ...rest: unknown[]) => {
      if (payload instanceof AccessRevoked) throw payload.error;
      return resolve ? resolve(payload, ...rest) : payload;
    },
  });
}

type Step<T> = IteratorResult<T | AccessRevoked>;

/**
 * Access is re-checked while subscribed, not only when the subscription starts: before every
 * event, whenever a membership of the organization changes through the API (the `access.changed`
 * topic, from any API process), and every SUBSCRIPTION_RECHECK_MS. When the subscriber's
 * membership is gone, their role no longer allows the subscription or their account was deleted,
 * they receive one error (FORBIDDEN or UNAUTHENTICATED) and the subscription ends.
 */
@Injectable()
export class SubscriptionAccess {
  private readonly logger = new Logger(SubscriptionAccess.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly pubsub: PubSubService,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /** Null while `org.userId` may still receive what `org.requiredRole` (VIEWER by default) allows. */
  async revocation(org: OrgContext): Promise<AccessRevoked | null> {
    const user = await this.prisma.db.user.findUnique({
      where: { id: org.userId },
      select: { memberships: { where: { organizationId: org.organizationId }, select: { role: true } } },
    });
    if (!user) return new AccessRevoked(unauthenticated('The account no longer exists'));
    const role = user.memberships[0]?.role;
    if (!role) return new AccessRevoked(forbidden('You are no longer a member of this organization'));
    const needed = org.requiredRole ?? 'VIEWER';
    if (ROLE_RANK[role] < ROLE_RANK[needed])
      return new AccessRevoked(forbidden(`This needs the ${needed} role or higher; you are now ${role}`));
    return null;
  }

  /** Tells running subscriptions (in every API process) to re-check the user's access now. */
  async accessChanged(organizationId: string, userId: string) {
    await this.pubsub.publish(organizationId, 'access.changed', { userId });
  }

  /** `source`, ended with an AccessRevoked event as soon as the subscriber loses access. */
  guard<T>(org: OrgContext, source: AsyncIterator<T>): AsyncIterableIterator<T | AccessRevoked> {
    let finished = false;
    let revokedWith: AccessRevoked | null = null;
    let wake: (() => void) | undefined;
    const revokedSignal = new Promise<void>((resolve) => (wake = resolve));
    const changes = this.pubsub.subscribe(org.organizationId, 'access.changed');

    const check = async () => {
      if (finished || revokedWith) return;
      const revoked = await this.revocation(org);
      if (revoked && !revokedWith) {
        revokedWith = revoked;
        wake?.();
      }
    };
    const checkSoon = () =>
      void check().catch((e: unknown) => this.logger.warn(`access re-check failed: ${String(e)}`));
    const timer = setInterval(checkSoon, this.config.subscriptionRecheckMs);
    timer.unref();
    void (async () => {
      for await (const change of changes) {
        if (finished) break;
        if (change.userId === org.userId) checkSoon();
      }
    })().catch(() => undefined);

    const stop = () => {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      void changes.return?.();
      // Not awaited: an async generator source answers return() only once it resumes.
      void source.return?.();
    };
    const done: Step<T> = { done: true, value: undefined };
    let revocationSent = false;

    const iterator: AsyncIterableIterator<T | AccessRevoked> = {
      next: async (): Promise<Step<T>> => {
        if (finished) return done;
        const revokedNow = (): Step<T> => {
          if (revocationSent) return done;
          revocationSent = true;
          const value = revokedWith!;
          stop();
          return { done: false, value };
        };
        if (revokedWith) return revokedNow();
        const step = await Promise.race([source.next(), revokedSignal.then(() => null)]);
        if (finished) return done;
        if (step === null || revokedWith) return revokedNow();
        if (step.done) {
          stop();
          return done;
        }
        await check(); // every event is re-checked before it is delivered
        return revokedWith ? revokedNow() : { done: false, value: step.value };
      },
      return: async () => {
        stop();
        return done;
      },
      throw: async (error: unknown) => {
        stop();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }
}
