import {
  MailboxAuthError,
  MailboxQuotaError,
  PermanentMailError,
  TransientMailError,
  UnknownOutcomeMailError,
} from '../mail-errors.js';
import type { HttpFailure } from '../http/http-failure.js';
import { classifyGmailError, GMAIL_QUOTA_WINDOW_MS } from './classify-gmail-error.js';

const now = new Date('2026-11-23T10:00:00Z');
const send = { sending: true, now };
const read = { sending: false, now };
const failure = (status: number, reason: string, message: string, retryAfter?: string): HttpFailure => ({
  status,
  reasons: [reason],
  message,
  retryAfter,
});

describe('classifyGmailError', () => {
  it('429 and rate-limit reasons are transient and honour Retry-After', () => {
    const e = classifyGmailError(failure(429, 'rateLimitExceeded', 'Rate Limit Exceeded', '7'), send);
    expect(e).toBeInstanceOf(TransientMailError);
    expect((e as TransientMailError).retryAfterMs).toBe(7000);
    const at = classifyGmailError(
      failure(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded', 'Mon, 23 Nov 2026 10:00:30 GMT'),
      send,
    );
    expect(at).toBeInstanceOf(TransientMailError);
    expect((at as TransientMailError).retryAfterMs).toBe(30000);
    expect(classifyGmailError(failure(403, 'concurrentLimitExceeded', 'x'), read)).toBeInstanceOf(
      TransientMailError,
    );
    expect(
      classifyGmailError(failure(429, 'rateLimitExceeded', 'Too many concurrent requests for user'), send),
    ).toBeInstanceOf(TransientMailError);
  });

  it('the daily sending limit is a quota error lasting until the time Gmail names, else 24 hours', () => {
    const named = classifyGmailError(
      failure(
        429,
        'userRateLimitExceeded',
        'User-rate limit exceeded.  Retry after 2026-11-23T18:30:00.000Z (Mail sending)',
      ),
      send,
    );
    expect(named).toBeInstanceOf(MailboxQuotaError);
    expect((named as MailboxQuotaError).retryAfterMs).toBe(8.5 * 3600 * 1000);
    const unnamed = classifyGmailError(failure(403, 'dailyLimitExceeded', 'Daily Limit Exceeded'), send);
    expect(unnamed).toBeInstanceOf(MailboxQuotaError);
    expect((unnamed as MailboxQuotaError).retryAfterMs).toBe(GMAIL_QUOTA_WINDOW_MS);
  });

  it('5xx on the send itself has an unknown outcome; on a lookup it is transient', () => {
    expect(classifyGmailError(failure(500, 'backendError', 'Backend Error'), send)).toBeInstanceOf(
      UnknownOutcomeMailError,
    );
    expect(classifyGmailError(failure(503, 'backendError', 'Unavailable'), send)).toBeInstanceOf(
      UnknownOutcomeMailError,
    );
    const lookup = classifyGmailError(failure(503, 'backendError', 'Unavailable', '3'), read);
    expect(lookup).toBeInstanceOf(TransientMailError);
    expect((lookup as TransientMailError).retryAfterMs).toBe(3000);
  });

  it('an invalid recipient is permanent; 401 and refused permissions stop the mailbox', () => {
    expect(classifyGmailError(failure(400, 'invalidArgument', 'Invalid To header'), send)).toBeInstanceOf(
      PermanentMailError,
    );
    expect(classifyGmailError(failure(401, 'authError', 'Invalid Credentials'), send)).toBeInstanceOf(
      MailboxAuthError,
    );
    expect(
      classifyGmailError(
        failure(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.'),
        send,
      ),
    ).toBeInstanceOf(MailboxAuthError);
    expect(
      classifyGmailError(failure(403, 'failedPrecondition', 'Mail service not enabled'), send),
    ).toBeInstanceOf(MailboxAuthError);
  });

  it('no answer: refused is transient; a timeout or broken connection on a send is an unknown outcome', () => {
    const none = (network: HttpFailure['network']): HttpFailure => ({ reasons: [], message: 'x', network });
    expect(classifyGmailError(none('refused'), send)).toBeInstanceOf(TransientMailError);
    expect(classifyGmailError(none('timeout'), send)).toBeInstanceOf(UnknownOutcomeMailError);
    expect(classifyGmailError(none('broken'), send)).toBeInstanceOf(UnknownOutcomeMailError);
    expect(classifyGmailError(none('aborted'), send)).toBeInstanceOf(UnknownOutcomeMailError);
    expect(classifyGmailError(none('timeout'), read)).toBeInstanceOf(TransientMailError);
  });
});
