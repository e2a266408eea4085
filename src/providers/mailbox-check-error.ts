import { MailError } from './mail-errors.js';

/**
 * A failed mailbox check (`MailProvider.verify`) described in the engine's own words: safe to show
 * to the API caller, unlike a provider's error text, which may carry a remote server's banner or
 * replies (and so whatever an internal service answers to a probe). `field` is the input at fault.
 */
export class MailboxCheckError extends MailError {
  constructor(
    readonly kind: MailError['kind'],
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'MailboxCheckError';
  }
}

const GENERIC: Record<MailError['kind'], string> = {
  auth: 'the provider refused the credentials',
  transient: 'the provider could not be reached; try again later',
  quota: 'the provider says the mailbox is over its quota',
  permanent: 'the provider refused the mailbox',
  'unknown-outcome': 'the check did not complete; try again later',
};

/** What the API may say about a failed check: our own message, never the provider's text. */
export function describeCheckFailure(error: MailError): string {
  return error instanceof MailboxCheckError ? error.message : GENERIC[error.kind];
}
