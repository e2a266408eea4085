import { HostRefusedError } from '../../common/net/host-guard.js';
import { MailboxCheckError } from '../mailbox-check-error.js';
import type { SmtpErrorLike } from './classify-smtp-error.js';

const AUTH_REPLIES = new Set([530, 534, 535]);
const AUTH_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2']);
const CERTIFICATE = /certificate|CERT_|self[- ]signed|altnames/i;

/**
 * Why connecting an SMTP mailbox failed, in the engine's words: what went wrong and which input
 * to fix, never the server's banner or reply text. `where` is the host and port the user gave.
 */
export function smtpCheckFailure(error: unknown, where: { host: string; port: number }): MailboxCheckError {
  if (error instanceof HostRefusedError)
    return new MailboxCheckError('permanent', error.message, 'smtp.host');
  const e: SmtpErrorLike = typeof error === 'object' && error !== null ? error : {};
  const server = `the SMTP server at ${where.host}:${where.port}`;
  if (e.code === 'ETLS') {
    return new MailboxCheckError(
      'auth',
      `${server} does not offer TLS, so the password would travel unencrypted: use its TLS port (465, or 587 with STARTTLS), or set smtp.allowInsecureAuth if it is on a network you trust`,
      'smtp',
    );
  }
  if ((e.code && AUTH_CODES.has(e.code)) || (e.responseCode && AUTH_REPLIES.has(e.responseCode))) {
    return new MailboxCheckError('auth', `${server} refused the username or password`, 'smtp');
  }
  if (CERTIFICATE.test(`${e.code ?? ''} ${e.originalCode ?? ''} ${e.message ?? ''}`)) {
    return new MailboxCheckError(
      'permanent',
      `${server} presented a TLS certificate that is not valid for this host`,
      'smtp.host',
    );
  }
  if (e.responseCode) {
    return new MailboxCheckError(
      'permanent',
      `${server} answered, but not as an SMTP server that accepts this mailbox`,
      'smtp',
    );
  }
  return new MailboxCheckError(
    'transient',
    `${server} could not be reached (check the host, the port and secure)`,
    'smtp',
  );
}
