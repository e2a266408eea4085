import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { QUEUES, type SendJob } from '../queues.js';

/** Enqueues send jobs. Job ids are deterministic per claim, so a repeated enqueue is a no-op. */
@Injectable()
export class SendQueue {
  constructor(@InjectQueue(QUEUES.send) private readonly queue: Queue<SendJob>) {}

  async enqueueRecipients(recipients: { id: string; attempts: number }[], delaysMs: number[] = []) {
    const stamp = Date.now();
    await this.queue.addBulk(
      recipients.map((r, i) => ({
        name: 'campaign-recipient',
        data: { kind: 'campaign', recipientId: r.id },
        opts: { jobId: `send:${r.id}:${r.attempts}:${stamp}`, delay: delaysMs[i] ?? 0 },
      })),
    );
  }

  /** Recipients that have a job waiting, delayed or running (read once per recovery sweep). */
  async recipientsWithLiveJobs(): Promise<Set<string>> {
    const jobs = await this.queue.getJobs(['waiting', 'delayed', 'active', 'paused']);
    return new Set(jobs.filter(Boolean).map((j) => j.data.recipientId));
  }
}
