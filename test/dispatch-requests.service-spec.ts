import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bull';
import { Test } from '@nestjs/testing';
import type { Queue } from 'bull';
import { AppModule } from '../src/app.module.js';
import { DispatchService } from '../src/delivery/dispatch/dispatch.service.js';
import { dispatchLockMs, QUEUES, type DispatchJob } from '../src/delivery/queues.js';
import { waitFor } from './factories/campaigns.js';
import { testConfig } from './support/test-app.js';

/** Bull's own Lua steps, to replay exactly what its worker does (not in its typings). */
const bullScripts = createRequire(import.meta.url)('bull/lib/scripts') as {
  moveToActive(queue: Queue, jobId: string): Promise<unknown>;
};

/**
 * A group's dispatch requests against real Redis, in a process that consumes no queue (API role),
 * so the test decides what happens to each job. Requests for a group that already has a dispatch
 * job waiting are merged into it; and what Redis loses must never leave a group that no request
 * can wake (a campaign then stays SENDING with its messages PENDING, silently).
 */
describe('dispatch requests across the loss of Redis', () => {
  let app: INestApplication;
  let dispatch: DispatchService;
  let queue: Queue<DispatchJob>;
  let lockMs: number;

  beforeAll(async () => {
    // A merge lasts the dispatch lock time (half the stuck time): 6 s here, so that a busy machine
    // cannot let it expire between two steps of a test.
    const config = await testConfig({ runnerTickMs: 600000 }, 'api', { DELIVERY_STUCK_MS: '12000' });
    lockMs = dispatchLockMs(config);
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(config)] }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.init();
    dispatch = app.get(DispatchService);
    queue = app.get<Queue<DispatchJob>>(getQueueToken(QUEUES.dispatch));
  });
  afterAll(() => app?.close());

  const waitingFor = async (groupId: string) =>
    (await queue.getWaiting()).filter((j) => j.data.groupId === groupId);

  /** Everything Redis holds for this process's dispatch queue is gone (FLUSHALL, a restart). */
  async function loseTheQueue() {
    const keys = await queue.client.keys(`${queue.toKey('')}*`);
    if (keys.length) await queue.client.del(...keys);
  }

  it('merges requests for a group into the one job already waiting', async () => {
    const groupId = randomUUID();
    await dispatch.enqueue(groupId);
    await dispatch.enqueue(groupId);
    await dispatch.enqueue(groupId);
    const other = randomUUID();
    await dispatch.enqueue(other);
    expect(await waitingFor(groupId)).toHaveLength(1);
    expect(await waitingFor(other)).toHaveLength(1);
  });

  it('merges requests while the job runs, and queues the first one after it finished', async () => {
    await queue.empty();
    const groupId = randomUUID();
    await dispatch.enqueue(groupId);
    const job = await queue.getNextJob(); // what a worker does: the job is now active
    expect(job?.data.groupId).toBe(groupId);
    await dispatch.enqueue(groupId);
    expect(await waitingFor(groupId)).toHaveLength(0);

    await dispatch.run(job!.data); // the pass (nothing to claim for an unknown group), then release
    await dispatch.enqueue(groupId);
    expect(await waitingFor(groupId)).toHaveLength(1);
  });

  it('a request whose job could not be queued does not hold back the next one', async () => {
    const groupId = randomUUID();
    // The connection fails between the merge and the job (a Redis restart, a full memory).
    const add = queue.add.bind(queue);
    queue.add = () => Promise.reject(new Error('Connection is closed.'));
    try {
      await dispatch.enqueue(groupId);
    } finally {
      queue.add = add;
    }
    expect(await waitingFor(groupId)).toHaveLength(0);

    await dispatch.enqueue(groupId); // the runner's next sweep, well inside the merge's lifetime
    expect(await waitingFor(groupId)).toHaveLength(1);
  });

  it('a job Redis lost just as a worker fetched it does not swallow the requests that follow', async () => {
    await queue.empty(); // so that the worker's pop below takes this test's job
    const groupId = randomUUID();
    await dispatch.enqueue(groupId);
    const [job] = await waitingFor(groupId);
    // What a worker does: its blocking connection pops the id (BRPOPLPUSH wait -> active) ...
    expect(await queue.client.rpoplpush(queue.toKey('wait'), queue.toKey('active'))).toBe(String(job.id));
    // ... Redis is emptied or restarted before its other connection runs Bull's moveToActive, which
    // then locks the vanished job and writes its processedOn: a job hash outside every list.
    await loseTheQueue();
    await bullScripts.moveToActive(queue, String(job.id));
    expect(await queue.client.exists(queue.toKey(String(job.id)))).toBe(1);

    await dispatch.enqueue(groupId);
    expect(await waitingFor(groupId)).toHaveLength(1);
  });

  it('a request merged into a job that vanished is taken again once the dispatch lock time has passed', async () => {
    const groupId = randomUUID();
    const merged = Date.now();
    await dispatch.enqueue(groupId);
    const [job] = await waitingFor(groupId);
    // The job is gone but the merge still points at it (a leftover of a loss).
    await queue.client.lrem(queue.toKey('wait'), 0, String(job.id));
    await queue.client.del(queue.toKey(String(job.id)));
    await dispatch.enqueue(groupId);
    expect(await waitingFor(groupId)).toHaveLength(0);

    await waitFor(
      async () => {
        await dispatch.enqueue(groupId);
        return waitingFor(groupId);
      },
      (jobs) => jobs.length === 1,
      lockMs + 30000,
    );
    // Not before the merge expired (a lower bound only: the machine's speed cannot break it).
    expect(Date.now() - merged).toBeGreaterThanOrEqual(lockMs - 50);
  });
});
