/**
 * Folds bursts of "this changed" into one call per id every `ms` from this process: the first touch
 * arms a timer, touches until it fires change nothing, then `run(id)` is called once.
 */
export class Coalescer {
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly ms: number,
    private readonly run: (id: string) => Promise<void>,
    private readonly onError: (id: string, error: unknown) => void,
  ) {}

  touch(id: string) {
    if (this.pending.has(id)) return;
    const timer = setTimeout(() => {
      this.pending.delete(id);
      this.run(id).catch((e: unknown) => this.onError(id, e));
    }, this.ms);
    timer.unref();
    this.pending.set(id, timer);
  }

  /** Drops what is armed (the process is closing). */
  clear() {
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
  }
}

/**
 * A progress stream: the snapshot now, then every published one that is newer than the last one
 * shown (several processes publish; their snapshots may cross on the way) and that `accept` takes.
 * Subscribes before reading the first snapshot, so nothing published meanwhile is missed.
 */
export async function* newerSnapshots<T extends { readAt: Date | string }>(
  updates: AsyncIterableIterator<T>,
  first: () => Promise<T>,
  accept: (update: T) => boolean,
): AsyncGenerator<T> {
  try {
    const now = await first();
    let shown = new Date(now.readAt).getTime();
    yield now;
    for await (const update of updates) {
      const at = new Date(update.readAt).getTime();
      if (!accept(update) || at < shown) continue;
      shown = at;
      yield update;
    }
  } finally {
    await updates.return?.();
  }
}
