/**
 * At most `limit` concurrent holders per key (e.g. 4 requests per Microsoft mailbox, which is
 * what Exchange Online allows per app and mailbox). Waiters are served in arrival order.
 */
export class KeyedSemaphore {
  private readonly active = new Map<string, number>();
  private readonly queues = new Map<string, (() => void)[]>();

  constructor(private readonly limit: number) {}

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    await this.acquire(key);
    try {
      return await fn();
    } finally {
      this.release(key);
    }
  }

  private acquire(key: string): Promise<void> {
    const n = this.active.get(key) ?? 0;
    if (n < this.limit) {
      this.active.set(key, n + 1);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const q = this.queues.get(key) ?? [];
      q.push(resolve);
      this.queues.set(key, q);
    });
  }

  private release(key: string) {
    const next = this.queues.get(key)?.shift();
    if (next) return next(); // the slot passes straight to the next waiter
    if (this.queues.get(key)?.length === 0) this.queues.delete(key);
    const n = (this.active.get(key) ?? 1) - 1;
    if (n <= 0) this.active.delete(key);
    else this.active.set(key, n);
  }
}
