import type { ResolvedConfig } from '../config/config.js';
import type { Role } from '../generated/prisma/enums.js';
import { AccessRevoked, SubscriptionAccess } from './subscription-access.js';

/** An async iterator fed by `push`, like a PubSub channel. */
function channel<T>() {
  const queue: T[] = [];
  let waiting: ((r: IteratorResult<T>) => void) | undefined;
  let closed = false;
  const iterator: AsyncIterableIterator<T> & { push(v: T): void; closed(): boolean } = {
    push(v: T) {
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        w({ done: false, value: v });
      } else queue.push(v);
    },
    closed: () => closed,
    next: () =>
      queue.length
        ? Promise.resolve({ done: false, value: queue.shift()! })
        : new Promise<IteratorResult<T>>((resolve) => (waiting = resolve)),
    return: async () => {
      closed = true;
      waiting?.({ done: true, value: undefined });
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

describe('SubscriptionAccess.guard', () => {
  let role: Role | null;
  let exists: boolean;
  let changes: ReturnType<typeof channel<{ userId: string }>>;
  const prisma = {
    db: {
      user: {
        findUnique: async () => (exists ? { memberships: role ? [{ role }] : [] } : null),
      },
    },
  };
  const pubsub = {
    subscribe: () => changes,
    publish: async (_o: string, _t: string, p: { userId: string }) => changes.push(p),
  };
  const access = () =>
    new SubscriptionAccess(
      prisma as never,
      pubsub as never,
      { subscriptionRecheckMs: 3_600_000 } as ResolvedConfig,
    );
  const org = { organizationId: 'org', userId: 'u1', role: 'MEMBER' as Role, requiredRole: 'MEMBER' as Role };

  beforeEach(() => {
    role = 'MEMBER';
    exists = true;
    changes = channel();
  });

  it('passes events while access holds and ends with the error once the role no longer allows it', async () => {
    const source = channel<string>();
    const guarded = access().guard(org, source);
    source.push('first');
    expect(await guarded.next()).toEqual({ done: false, value: 'first' });
    role = 'VIEWER';
    source.push('second'); // re-checked before delivery: not delivered
    const last = await guarded.next();
    expect(last.value).toBeInstanceOf(AccessRevoked);
    expect((last.value as AccessRevoked).error.code).toBe('FORBIDDEN');
    expect(await guarded.next()).toEqual({ done: true, value: undefined });
    expect(source.closed()).toBe(true);
  });

  it('ends a quiet subscription when told the membership changed', async () => {
    const source = channel<string>();
    const service = access();
    const guarded = service.guard(org, source);
    const pending = guarded.next(); // nothing to deliver
    role = null;
    await service.accessChanged('org', 'someone-else');
    await service.accessChanged('org', 'u1');
    const last = await pending;
    expect((last.value as AccessRevoked).error.message).toMatch(/no longer a member/);
    expect(changes.closed()).toBe(true);
  });

  it('cleans up at once when the client unsubscribes', async () => {
    const source = channel<string>();
    const guarded = access().guard(org, source);
    const pending = guarded.next();
    await guarded.return!();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(source.closed()).toBe(true);
    expect(changes.closed()).toBe(true);
  });
});
