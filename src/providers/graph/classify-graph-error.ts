import {
  MailboxAuthError,
  MailboxQuotaError,
  PermanentMailError,
  TransientMailError,
  UnknownOutcomeMailError,
  type MailError,
} from '../mail-errors.js';
import {
  classifyNetworkFailure,
  retryAfterMs,
  type CallContext,
  type HttpFailure,
} from '../http/http-failure.js';

/** The mailbox may not use Graph mail (consent withdrawn, no licence, send-as refused). */
const MAILBOX_REFUSED = new Set([
  'ErrorAccessDenied',
  'AccessDenied',
  'Authorization_RequestDenied',
  'ErrorSendAsDenied',
  'MailboxNotEnabledForRESTAPI',
  'MailboxNotSupportedForRESTAPI',
  'InvalidAuthenticationToken',
]);
/** Exchange's sending limits (10,000 recipients a day, 30 messages a minute) or a full mailbox. */
const QUOTA = new Set([
  'ErrorSubmissionQuotaExceeded',
  'ErrorQuotaExceeded',
  'ErrorMessageSubmissionBlocked',
]);
const THROTTLED = new Set([
  'MailboxConcurrency',
  'ApplicationThrottled',
  'TooManyRequests',
  'activityLimitReached',
]);
const BAD_RECIPIENT = new Set([
  'ErrorInvalidRecipients',
  'ErrorRecipientNotFound',
  'ErrorInvalidSmtpAddress',
]);
/** Exchange's sending limits are counted over a rolling day. */
export const GRAPH_QUOTA_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Translates a failed Microsoft Graph call into the engine's MailError. Pure. A 401 reaching
 * here already survived one token refresh.
 */
export function classifyGraphError(f: HttpFailure, ctx: CallContext): MailError {
  if (f.network) return classifyNetworkFailure(f, ctx);
  const status = f.status ?? 0;
  const code = f.reasons[0] ?? '';
  const text = `Graph ${status} ${code}: ${f.message}`;
  const wait = retryAfterMs(f.retryAfter, ctx.now);

  if (status === 401) return new MailboxAuthError(`Microsoft refused the mailbox's token: ${f.message}`);
  if (QUOTA.has(code)) return new MailboxQuotaError(text, wait ?? GRAPH_QUOTA_WINDOW_MS);
  if (status === 429 || THROTTLED.has(code)) return new TransientMailError(text, wait);
  if (status >= 500) {
    if (ctx.sending) return new UnknownOutcomeMailError(`${text}; the message may have been sent`);
    return new TransientMailError(text, wait);
  }
  if (status === 403 || MAILBOX_REFUSED.has(code))
    return new MailboxAuthError(`Microsoft refused the mailbox: ${text}`);
  if (BAD_RECIPIENT.has(code)) return new PermanentMailError(text);
  return new PermanentMailError(text);
}
