import { DomainError } from '../../common/errors/domain-error.js';
import { TemplateError } from '../../common/templates/liquid-templates.js';
import {
  MailboxAuthError,
  MailboxQuotaError,
  MailError,
  PermanentMailError,
  TransientMailError,
  UnknownOutcomeMailError,
} from '../../providers/mail-errors.js';
import type { SendResult } from '../../providers/mail-provider.port.js';
import { retryDelayMs } from './retry-policy.js';

/** What becomes of one message after an attempt (or a decision not to attempt it). */
export type Verdict =
  | { type: 'sent'; result: SendResult; subject?: string }
  /** A transient failure: PENDING again after `delayMs` (the attempt counts). */
  | { type: 'retry'; reason: string; delayMs: number }
  | { type: 'failed'; kind: 'PERMANENT' | 'EXHAUSTED' | 'UNKNOWN_OUTCOME' | 'TEMPLATE'; reason: string }
  /**
   * Not attempted after all (window closed, group paused, mailbox unusable): PENDING again, from
   * `at` when given; `uncount` when the hand-off had counted an attempt the provider never saw.
   */
  | { type: 'release'; reason?: string; at?: Date; uncount?: boolean }
  /** It may have gone out: stays SENDING until the provider is asked again (reconciliation). */
  | { type: 'reconcile'; reason: string }
  /** Not to be sent at all (the address was suppressed after it was handed over). */
  | { type: 'skipped'; reason: string };

/** What a failure says about the mailbox as a whole. */
export type MailboxAction =
  { type: 'disconnect'; reason: string } | { type: 'pause'; until: Date; reason: string };

export interface FailureContext {
  /** Attempts so far, this one included. */
  attempts: number;
  maxAttempts: number;
  retryBaseMs: number;
  /** The provider can be asked whether a Message-ID went out (Gmail, Graph, sandbox; not SMTP). */
  canReconcile: boolean;
  /** The mailbox prefers a possible duplicate to a possibly lost message (SMTP only matters). */
  atLeastOnce: boolean;
  now: Date;
  random?: () => number;
}

/** A reason fit to show users: provider and engine errors as they are, anything else masked. */
export function describe(error: unknown): string {
  if (error instanceof MailError || error instanceof DomainError || error instanceof TemplateError)
    return error.message;
  return 'Internal error while sending (see the server log)';
}

/** After a transient failure: try again later, or give up once the attempts are spent. */
export function retryOrGiveUp(reason: string, ctx: FailureContext, retryAfterMs?: number): Verdict {
  if (ctx.attempts >= ctx.maxAttempts) {
    return {
      type: 'failed',
      kind: 'EXHAUSTED',
      reason: `${reason} (gave up after ${ctx.attempts} attempts)`,
    };
  }
  return {
    type: 'retry',
    reason,
    delayMs: retryDelayMs(ctx.attempts, ctx.retryBaseMs, retryAfterMs, ctx.random),
  };
}

/**
 * The pipeline's decision table (docs/adr/005): which failure leads to which outcome for the
 * message, and what it means for the mailbox.
 */
export function judgeFailure(
  error: unknown,
  ctx: FailureContext,
): { verdict: Verdict; mailbox?: MailboxAction } {
  const reason = describe(error);
  if (error instanceof TemplateError) return { verdict: { type: 'failed', kind: 'TEMPLATE', reason } };
  if (error instanceof PermanentMailError) return { verdict: { type: 'failed', kind: 'PERMANENT', reason } };
  if (error instanceof MailboxAuthError) {
    // Nothing was sent: the message waits for the mailbox to be reconnected.
    return {
      verdict: { type: 'release', reason: `Waiting for the mailbox: ${reason}`, uncount: true },
      mailbox: { type: 'disconnect', reason },
    };
  }
  if (error instanceof MailboxQuotaError) {
    const until = new Date(ctx.now.getTime() + (error.retryAfterMs ?? 3_600_000));
    return {
      verdict: { type: 'release', reason: `Deferred: ${reason}`, at: until, uncount: true },
      mailbox: { type: 'pause', until, reason },
    };
  }
  if (error instanceof UnknownOutcomeMailError) {
    if (ctx.canReconcile) return { verdict: { type: 'reconcile', reason } };
    if (!ctx.atLeastOnce) {
      return {
        verdict: {
          type: 'failed',
          kind: 'UNKNOWN_OUTCOME',
          reason: `Outcome unknown (${reason}); not retried: this mailbox sends at most once`,
        },
      };
    }
    return { verdict: retryOrGiveUp(reason, ctx) };
  }
  const retryAfter = (error as { retryAfterMs?: number }).retryAfterMs;
  const verdict = retryOrGiveUp(reason, ctx, retryAfter);
  // A Retry-After (Gmail's per-user rate limit, Graph's per-mailbox throttling) is addressed to the
  // mailbox, not to this one message: none of its messages goes to the provider before it passes.
  if (error instanceof TransientMailError && retryAfter && retryAfter > 0) {
    const until = new Date(ctx.now.getTime() + retryAfter);
    return { verdict, mailbox: { type: 'pause', until, reason } };
  }
  return { verdict };
}
