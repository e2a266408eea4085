import {
  MailboxAuthError,
  MailboxQuotaError,
  MailError,
  PermanentMailError,
  TransientMailError,
  UnknownOutcomeMailError,
} from '../mail-errors.js';

/** The fields nodemailer puts on its SMTP errors. */
export interface SmtpErrorLike {
  message?: string;
  /** nodemailer's code: EAUTH, EENVELOPE, EMESSAGE, ECONNECTION, ETIMEDOUT, ESOCKET, … */
  code?: string;
  /** The system error under it (ECONNREFUSED, ECONNRESET, …). */
  originalCode?: string;
  /** The SMTP reply code, when the server answered. */
  responseCode?: number;
  /** The server's reply text, e.g. `550 5.1.1 user unknown`. */
  response?: string;
  /** The command in flight: `CONN`, `AUTH PLAIN`, `MAIL FROM`, `RCPT TO`, `DATA`, `API`. */
  command?: string;
}

export interface SmtpSendContext {
  /** Whether the server had accepted DATA and the message started to flow when it failed. */
  dataSent: boolean;
}

/** Replies that mean "this mailbox", not this recipient (535 bad credentials, 530/534 auth required). */
const AUTH_REPLIES = new Set([530, 534, 535]);
const AUTH_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2']);
/** The sender's own sending limit (Gmail 5.4.5 "daily user sending limit"), not a full recipient mailbox. */
const QUOTA =
  /\b[45]\.4\.5\b|sending (quota|limit)|quota exceeded for (the )?(user|sender)|message rate limit|rate limited|too many messages/i;
/** Policy refusals of the envelope sender (5.7.x at MAIL FROM): the mailbox may not send as itself. */
const SENDER_POLICY = /\b5\.7\.\d{1,3}\b/;

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * Translates a nodemailer SMTP failure into the engine's MailError. Pure: the reply code decides
 * whenever the server answered; without an answer, whether DATA had been accepted decides between
 * "try again" (nothing was sent) and "unknown outcome" (the message may have been delivered).
 */
export function classifySmtpError(error: unknown, context: SmtpSendContext): MailError {
  if (error instanceof MailError) return error;
  const e: SmtpErrorLike = typeof error === 'object' && error !== null ? error : { message: String(error) };
  const text = oneLine(e.response || e.message || 'SMTP error');
  const reply = e.responseCode;

  if (e.code === 'ETLS') {
    // The server offers no STARTTLS and the mailbox does not allow a login without it.
    return new MailboxAuthError(
      'The SMTP server does not offer TLS; reconnect the mailbox with TLS settings',
    );
  }
  if ((e.code && AUTH_CODES.has(e.code)) || (reply && AUTH_REPLIES.has(reply))) {
    return new MailboxAuthError(`SMTP authentication failed: ${text}`);
  }
  if (reply) {
    if (QUOTA.test(text)) return new MailboxQuotaError(text);
    if (reply >= 500 && reply !== 503) {
      if (e.command === 'MAIL FROM' && SENDER_POLICY.test(text)) {
        return new MailboxAuthError(`The server refused the sender address: ${text}`);
      }
      return new PermanentMailError(text);
    }
    // 4xx (421, 450, 451, 452), and 503 (bad sequence: the session, not the message, was wrong).
    return new TransientMailError(text);
  }
  const detail = oneLine(e.message || e.code || 'connection error');
  if (context.dataSent || e.command === 'DATA') {
    return new UnknownOutcomeMailError(
      `The connection broke after the message was sent, before the server confirmed it: ${detail}`,
    );
  }
  // Refused before anything was sent: an address nodemailer cannot put in the envelope, or a
  // message over the size the server announced. Sending it again would fail the same way.
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return new PermanentMailError(detail);
  // ECONNREFUSED, ECONNRESET, ETIMEDOUT, DNS, TLS, proxy, a dropped connection before DATA.
  return new TransientMailError(detail);
}
