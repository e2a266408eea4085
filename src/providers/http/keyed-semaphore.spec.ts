import { KeyedSemaphore } from './keyed-semaphore.js';

describe('KeyedSemaphore', () => {
  it('lets at most `limit` run per key, others wait their turn; keys are independent', async () => {
    const sem = new KeyedSemaphore(2);
    let running = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    const order: number[] = [];
    const task = (i: number) =>
      sem.run('a', async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => gates.push(r));
        order.push(i);
        running--;
      });
    const all = [0, 1, 2, 3, 4].map(task);
    const other = sem.run('b', async () => 'b ran');
    await expect(other).resolves.toBe('b ran');
    while (order.length < 5) {
      await new Promise((r) => setImmediate(r));
      gates.shift()?.();
    }
    await Promise.all(all);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('releases the slot when the task throws', async () => {
    const sem = new KeyedSemaphore(1);
    await expect(sem.run('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(sem.run('a', async () => 1)).resolves.toBe(1);
  });
});
