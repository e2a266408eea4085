import type { DeliveryEvent } from '../../delivery/delivery.contract.js';
import type { StepExecution, ThreadMode } from '../../generated/prisma/client.js';
import type { StopSignal } from '../core/stop-rules.js';
import type { TimelineEntry } from '../enrollment-timeline.js';
import type { LockedEnrollment } from './enrollment-stepper.js';
import type { StatColumn } from './step-stats.js';

/** A step execution being updated by a batch of events. */
export type ExecutionState = StepExecution & {
  step: { threadMode: ThreadMode | null };
  versionRef: { version: number };
  changed: boolean;
};

export interface AppliedEvent {
  timeline?: Pick<TimelineEntry, 'type' | 'at' | 'data'>;
  stats: StatColumn[];
  /** sent: the thread later SAME_THREAD emails reply under (Message-ID header, provider thread id). */
  thread?: [string, string | null];
  /** What may stop the enrollment, per the sequence's stop rules. */
  signal?: StopSignal;
}

/**
 * Records one delivery event on its step execution (mutating `x`): first occurrences only for
 * counters and timestamps, so a redelivered event counts once. Machine opens and clicks (privacy
 * proxies, link scanners) are kept apart and decide nothing.
 */
export function applyEvent(
  x: ExecutionState,
  e: Pick<LockedEnrollment, 'threadMessageId'>,
  event: DeliveryEvent,
): AppliedEvent {
  const set = (patch: Partial<StepExecution>) => {
    Object.assign(x, patch);
    x.changed = true;
  };
  const at = event.at;
  switch (event.type) {
    case 'sent': {
      if (x.sentAt) return { stats: [] };
      set({ status: 'SENT', sentAt: at });
      const startsThread = x.step.threadMode === 'NEW_THREAD' || !e.threadMessageId;
      return {
        stats: ['sent'],
        timeline: { type: 'EMAIL_SENT', at, data: { messageId: event.messageId } },
        thread:
          startsThread && event.messageIdHeader
            ? [event.messageIdHeader, event.providerThreadId ?? null]
            : undefined,
      };
    }
    case 'failed':
      if (x.status !== 'HANDED_OVER') return { stats: [] };
      set({ status: 'FAILED', failedAt: at, failureReason: event.reason ?? null });
      return {
        stats: ['failed'],
        timeline: { type: 'EMAIL_FAILED', at, data: { reason: event.reason ?? null } },
      };
    case 'cancelled':
      if (x.status !== 'HANDED_OVER') return { stats: [] };
      set({ status: 'CANCELLED' });
      return { stats: [], timeline: { type: 'EMAIL_CANCELLED', at } };
    case 'opened':
      if (event.machine) {
        if (x.machineOpenedAt) return { stats: [] };
        set({ machineOpenedAt: at });
        return { stats: ['machineOpened'], timeline: { type: 'OPENED', at, data: { machine: true } } };
      }
      if (x.openedAt) return { stats: [] };
      set({ openedAt: at });
      return { stats: ['opened'], timeline: { type: 'OPENED', at } };
    case 'clicked':
      if (event.machine) return { stats: [], timeline: { type: 'CLICKED', at, data: { machine: true } } };
      if (x.clickedAt) return { stats: [] };
      set({ clickedAt: at });
      return { stats: ['clicked'], timeline: { type: 'CLICKED', at } };
    case 'replied': {
      const signal: StopSignal = { type: 'replied', automatic: event.automatic ?? false };
      if (event.automatic)
        return {
          stats: ['autoReplied'],
          timeline: { type: 'REPLIED', at, data: { automatic: true } },
          signal,
        };
      const first = !x.repliedAt;
      if (first) set({ repliedAt: at });
      return { stats: first ? ['replied'] : [], timeline: { type: 'REPLIED', at }, signal };
    }
    case 'bounced':
      if (event.hard === false || x.bouncedAt) return { stats: [] };
      set({ bouncedAt: at });
      return { stats: ['bounced'], timeline: { type: 'BOUNCED', at }, signal: { type: 'bounced' } };
    case 'unsubscribed':
      return {
        stats: ['unsubscribed'],
        timeline: { type: 'UNSUBSCRIBED', at },
        signal: { type: 'unsubscribed' },
      };
  }
}
