import { TemplateError } from '../../common/templates/liquid-templates.js';
import {
  MailboxAuthError,
  MailboxQuotaError,
  PermanentMailError,
  TransientMailError,
  UnknownOutcomeMailError,
} from '../../providers/mail-errors.js';
import { judgeFailure, type FailureContext } from './outcomes.js';

const now = new Date('2026-11-23T10:00:00Z');
const ctx = (over: Partial<FailureContext> = {}): FailureContext => ({
  attempts: 1,
  maxAttempts: 3,
  retryBaseMs: 1000,
  canReconcile: false,
  atLeastOnce: false,
  now,
  random: () => 0.5,
  ...over,
});

describe('judgeFailure', () => {
  it('fails a refused recipient for good, with the provider reason', () => {
    expect(judgeFailure(new PermanentMailError('550 5.1.1 user unknown'), ctx())).toEqual({
      verdict: { type: 'failed', kind: 'PERMANENT', reason: '550 5.1.1 user unknown' },
    });
  });

  it('retries transient failures with backoff, never before Retry-After, and gives up at the last attempt', () => {
    expect(judgeFailure(new TransientMailError('451 try later'), ctx({ attempts: 2 })).verdict).toEqual({
      type: 'retry',
      reason: '451 try later',
      delayMs: 2000,
    });
    expect(judgeFailure(new TransientMailError('451 try later'), ctx()).mailbox).toBeUndefined();
    const throttled = judgeFailure(new TransientMailError('429', 45_000), ctx());
    expect(throttled.verdict).toMatchObject({ delayMs: 45_000 });
    // Retry-After holds for the whole mailbox, not only this message.
    expect(throttled.mailbox).toEqual({
      type: 'pause',
      until: new Date(now.getTime() + 45_000),
      reason: '429',
    });
    expect(judgeFailure(new TransientMailError('451 try later'), ctx({ attempts: 3 })).verdict).toEqual({
      type: 'failed',
      kind: 'EXHAUSTED',
      reason: '451 try later (gave up after 3 attempts)',
    });
  });

  it('keeps the message waiting and disconnects the mailbox when its login is refused', () => {
    const { verdict, mailbox } = judgeFailure(new MailboxAuthError('invalid_grant'), ctx());
    expect(verdict).toMatchObject({ type: 'release', uncount: true });
    expect(mailbox).toEqual({ type: 'disconnect', reason: 'invalid_grant' });
  });

  it("defers the mailbox's work until the quota window passes, without counting the attempt", () => {
    const { verdict, mailbox } = judgeFailure(
      new MailboxQuotaError('Daily sending limit exceeded', 600_000),
      ctx(),
    );
    const until = new Date(now.getTime() + 600_000);
    expect(verdict).toMatchObject({ type: 'release', at: until, uncount: true });
    expect(mailbox).toEqual({ type: 'pause', until, reason: 'Daily sending limit exceeded' });
  });

  it('reconciles an unknown outcome where the provider can be asked', () => {
    expect(
      judgeFailure(new UnknownOutcomeMailError('socket hang up'), ctx({ canReconcile: true })).verdict,
    ).toEqual({
      type: 'reconcile',
      reason: 'socket hang up',
    });
  });

  it('sends at most once where it cannot be asked, unless the mailbox opted into at-least-once', () => {
    expect(judgeFailure(new UnknownOutcomeMailError('lost after DATA'), ctx()).verdict).toMatchObject({
      type: 'failed',
      kind: 'UNKNOWN_OUTCOME',
    });
    expect(
      judgeFailure(new UnknownOutcomeMailError('lost after DATA'), ctx({ atLeastOnce: true })).verdict,
    ).toMatchObject({
      type: 'retry',
    });
  });

  it('fails a template that cannot be rendered, and masks unexpected errors', () => {
    expect(
      judgeFailure(
        new TemplateError('the template builds too much data', 'limit', { limit: 'memory' }),
        ctx(),
      ).verdict,
    ).toMatchObject({
      type: 'failed',
      kind: 'TEMPLATE',
    });
    expect(judgeFailure(new Error('pg: connection string secret'), ctx()).verdict).toEqual({
      type: 'retry',
      reason: 'Internal error while sending (see the server log)',
      delayMs: 1000,
    });
  });
});
