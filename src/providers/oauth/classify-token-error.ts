import { MailboxAuthError, type MailError } from '../mail-errors.js';
import { classifyNetworkFailure, retryAfterMs, type HttpFailure } from '../http/http-failure.js';
import { TransientMailError } from '../mail-errors.js';

/** OAuth error codes (RFC 6749 §5.2) that mean the grant is gone: the user must connect again. */
const GRANT_GONE = new Set([
  'invalid_grant',
  'unauthorized_client',
  'invalid_client',
  'interaction_required',
  'consent_required',
  'access_denied',
]);

/**
 * A failed token request (refresh or code exchange). A refused grant (revoked, expired, consent
 * withdrawn, `invalid_grant`) stops the mailbox; the endpoint being down or throttling is transient.
 */
export function classifyTokenError(f: HttpFailure, now: Date): MailError {
  if (f.network) return classifyNetworkFailure(f, { sending: false, now });
  const code = f.reasons[0];
  if (code === 'invalid_client') {
    return new MailboxAuthError(
      `The provider refused this server's OAuth client (invalid_client): check the configured client id and secret. ${f.message}`,
    );
  }
  if (code && GRANT_GONE.has(code)) {
    return new MailboxAuthError(`The provider refused the mailbox's authorization (${code}): ${f.message}`);
  }
  if (f.status === 429 || (f.status ?? 0) >= 500) {
    return new TransientMailError(
      `The token endpoint failed (${f.status}): ${f.message}`,
      retryAfterMs(f.retryAfter, now),
    );
  }
  return new MailboxAuthError(
    `The token endpoint refused the refresh (${f.status ?? '?'} ${code ?? ''}): ${f.message}`,
  );
}
