import { AsyncLocalStorage } from 'node:async_hooks';

/** Work that must wait until the surrounding transaction has committed. */
export interface TransactionContext {
  /** The interactive-transaction client, so extensions can read inside the same transaction. */
  tx: unknown;
  afterCommit: (() => void)[];
  /** False once the transaction has ended; timers and listeners started inside it must not use it. */
  open: boolean;
}

const storage = new AsyncLocalStorage<TransactionContext>();

export const transactionContext = {
  current: (): TransactionContext | undefined => {
    const ctx = storage.getStore();
    return ctx?.open ? ctx : undefined;
  },
  run: <T>(ctx: TransactionContext, fn: () => Promise<T>) => storage.run(ctx, fn),
  /** Runs `fn` after the current transaction commits, or now when there is none. Never on rollback. */
  afterCommit(fn: () => void) {
    const ctx = transactionContext.current();
    if (ctx) ctx.afterCommit.push(fn);
    else fn();
  },
};
