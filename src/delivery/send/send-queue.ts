import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { QUEUES, type SendJob } from '../queues.js';

/** A claim of a recipient: its id and the moment it was queued (stored as queuedAt). */
export interface QueuedRecipient {
  id: string;
  queuedAt: Date;
}

const LIVE_STATES = new Set(['waiting', 'delayed', 'active', 'paused']);

/**
 * Enqueues send jobs. The job id is derived from the claim (recipient id + queuedAt), so a
 * repeated enqueue of one claim is a no-op, and the recovery sweep can find a claim's job directly.
 */
@Injectable()
export class SendQueue {
  constructor(@InjectQueue(QUEUES.send) private readonly queue: Queue<SendJob>) {}

  static jobId(r: QueuedRecipient) {
    return `send:${r.id}:${r.queuedAt.getTime()}`;
  }

  async enqueueRecipients(recipients: QueuedRecipient[], delaysMs: number[] = []) {
    await this.queue.addBulk(
      recipients.map((r, i) => ({
        name: 'campaign-recipient',
        data: { kind: 'campaign', recipientId: r.id },
        opts: { jobId: SendQueue.jobId(r), delay: delaysMs[i] ?? 0 },
      })),
    );
  }

  /** Whether the job of this claim is still waiting, delayed or running. */
  async hasLiveJob(r: QueuedRecipient): Promise<boolean> {
    const job = await this.queue.getJob(SendQueue.jobId(r));
    return !!job && LIVE_STATES.has(await job.getState());
  }
}
