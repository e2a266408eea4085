/**
 * How a send failed, in the engine's terms. Adapters translate provider answers into these;
 * the delivery pipeline decides from them whether to retry, fail the recipient, or stop the mailbox.
 */
export abstract class MailError extends Error {
  abstract readonly kind: 'transient' | 'permanent' | 'auth' | 'quota' | 'unknown-outcome';
}

/** Try again later (network error, 5xx, 429, SMTP 4xx). `retryAfterMs` when the server said so. */
export class TransientMailError extends MailError {
  readonly kind = 'transient' as const;
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TransientMailError';
  }
}

/** This recipient cannot be delivered to (SMTP 5xx for the address, invalid address). */
export class PermanentMailError extends MailError {
  readonly kind = 'permanent' as const;
  constructor(message: string) {
    super(message);
    this.name = 'PermanentMailError';
  }
}

/** The mailbox's credentials were refused or revoked: the mailbox must be reconnected. */
export class MailboxAuthError extends MailError {
  readonly kind = 'auth' as const;
  constructor(message: string) {
    super(message);
    this.name = 'MailboxAuthError';
  }
}

/** The mailbox hit the provider's sending quota: defer its work until `retryAfterMs`. */
export class MailboxQuotaError extends MailError {
  readonly kind = 'quota' as const;
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'MailboxQuotaError';
  }
}

/** The connection broke after the message may have been accepted: whether it went out is unknown. */
export class UnknownOutcomeMailError extends MailError {
  readonly kind = 'unknown-outcome' as const;
  constructor(message: string) {
    super(message);
    this.name = 'UnknownOutcomeMailError';
  }
}
