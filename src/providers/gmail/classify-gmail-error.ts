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

/** Gmail's throttling reasons: try again shortly (per-user rate, project rate, concurrent requests). */
const THROTTLED = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'concurrentLimitExceeded']);
/** The mailbox itself may not use the API (scope missing, Gmail disabled by the domain, account suspended). */
const MAILBOX_REFUSED = new Set([
  'insufficientPermissions',
  'forbidden',
  'domainPolicy',
  'failedPrecondition',
  'authError',
]);
/**
 * The mailbox's sending limit (Workspace 2,000/day, consumer ≈500/day): Gmail answers
 * `userRateLimitExceeded` / `dailyLimitExceeded` with "Mail sending" or "sending limit" in the text,
 * often followed by "Retry after <RFC 3339 time>".
 */
const SENDING_LIMIT = /mail sending|sending limit|daily user sending|dailyLimitExceeded/i;
const RETRY_AFTER_IN_TEXT = /retry after (\d{4}-\d{2}-\d{2}T[\d:.]+Z)/i;
/** Gmail's window is a rolling 24 hours when it does not say when it passes. */
export const GMAIL_QUOTA_WINDOW_MS = 24 * 60 * 60 * 1000;
const BAD_RECIPIENT =
  /invalid (to|cc|bcc) header|invalid recipient|recipient address rejected|invalid email address/i;

/**
 * Translates a failed Gmail API call into the engine's MailError. Pure: the status, Gmail's
 * reasons and message, and Retry-After decide. A 401 reaching here already survived one token
 * refresh, so it means the authorization is gone.
 */
export function classifyGmailError(f: HttpFailure, ctx: CallContext): MailError {
  if (f.network) return classifyNetworkFailure(f, ctx);
  const status = f.status ?? 0;
  const text = `Gmail ${status}: ${f.message}`;
  const wait = retryAfterMs(f.retryAfter, ctx.now);
  const reasons = new Set(f.reasons);

  if (status === 401) return new MailboxAuthError(`Gmail refused the mailbox's token: ${f.message}`);
  if (
    reasons.has('dailyLimitExceeded') ||
    ((status === 429 || status === 403) && SENDING_LIMIT.test(f.message))
  ) {
    const until = RETRY_AFTER_IN_TEXT.exec(f.message)?.[1];
    const untilMs = until ? Math.max(0, Date.parse(until) - ctx.now.getTime()) : undefined;
    return new MailboxQuotaError(text, untilMs ?? wait ?? GMAIL_QUOTA_WINDOW_MS);
  }
  if (status >= 500) {
    // Gmail may have taken the message before failing: the send must be reconciled, not repeated.
    if (ctx.sending) return new UnknownOutcomeMailError(`${text}; the message may have been sent`);
    return new TransientMailError(text, wait);
  }
  if (status === 429 || [...reasons].some((r) => THROTTLED.has(r)) || /concurrent request/i.test(f.message)) {
    return new TransientMailError(text, wait);
  }
  if (status === 403 && [...reasons].some((r) => MAILBOX_REFUSED.has(r))) {
    return new MailboxAuthError(`Gmail refused the mailbox: ${f.message}`);
  }
  if (status === 400 && BAD_RECIPIENT.test(f.message)) return new PermanentMailError(text);
  if (status === 403) return new MailboxAuthError(`Gmail refused the mailbox: ${f.message}`);
  // Any other 4xx: Gmail will refuse this request the same way again.
  return new PermanentMailError(text);
}
