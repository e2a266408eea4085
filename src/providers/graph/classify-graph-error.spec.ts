import {
  MailboxAuthError,
  MailboxQuotaError,
  PermanentMailError,
  TransientMailError,
  UnknownOutcomeMailError,
} from '../mail-errors.js';
import { classifyGraphError, GRAPH_QUOTA_WINDOW_MS } from './classify-graph-error.js';

const now = new Date('2026-11-23T10:00:00Z');
const send = { sending: true, now };
const read = { sending: false, now };
const f = (status: number, code: string, retryAfter?: string) => ({
  status,
  reasons: [code],
  message: code,
  retryAfter,
});

describe('classifyGraphError', () => {
  it('429 and throttling codes are transient with Retry-After, also on the send call', () => {
    const e = classifyGraphError(f(429, 'TooManyRequests', '12'), send);
    expect(e).toBeInstanceOf(TransientMailError);
    expect((e as TransientMailError).retryAfterMs).toBe(12000);
    expect(classifyGraphError(f(429, 'MailboxConcurrency'), read)).toBeInstanceOf(TransientMailError);
  });

  it('5xx on the send call is an unknown outcome, elsewhere transient', () => {
    expect(classifyGraphError(f(503, 'ServiceUnavailable', '2'), send)).toBeInstanceOf(
      UnknownOutcomeMailError,
    );
    expect(classifyGraphError(f(504, 'GatewayTimeout'), send)).toBeInstanceOf(UnknownOutcomeMailError);
    const e = classifyGraphError(f(503, 'ServiceUnavailable', '2'), read);
    expect(e).toBeInstanceOf(TransientMailError);
    expect((e as TransientMailError).retryAfterMs).toBe(2000);
  });

  it('a sending limit is a quota error, by default for a day', () => {
    const e = classifyGraphError(f(403, 'ErrorSubmissionQuotaExceeded'), send);
    expect(e).toBeInstanceOf(MailboxQuotaError);
    expect((e as MailboxQuotaError).retryAfterMs).toBe(GRAPH_QUOTA_WINDOW_MS);
  });

  it('invalid recipients are permanent; 401 and access denied stop the mailbox', () => {
    expect(classifyGraphError(f(400, 'ErrorInvalidRecipients'), send)).toBeInstanceOf(PermanentMailError);
    expect(classifyGraphError(f(401, 'InvalidAuthenticationToken'), send)).toBeInstanceOf(MailboxAuthError);
    expect(classifyGraphError(f(403, 'ErrorAccessDenied'), send)).toBeInstanceOf(MailboxAuthError);
  });

  it('no answer: a timeout while sending is an unknown outcome, a refused connection transient', () => {
    expect(classifyGraphError({ reasons: [], message: 'x', network: 'timeout' }, send)).toBeInstanceOf(
      UnknownOutcomeMailError,
    );
    expect(classifyGraphError({ reasons: [], message: 'x', network: 'refused' }, send)).toBeInstanceOf(
      TransientMailError,
    );
  });
});
