import { MailboxAuthError, TransientMailError } from '../mail-errors.js';
import { classifyTokenError } from './classify-token-error.js';

const now = new Date('2026-11-23T10:00:00Z');

describe('classifyTokenError', () => {
  it.each(['invalid_grant', 'consent_required', 'interaction_required', 'invalid_client'])(
    '%s stops the mailbox',
    (code) => {
      const e = classifyTokenError(
        { status: 400, reasons: [code], message: 'Token has been expired or revoked.' },
        now,
      );
      expect(e).toBeInstanceOf(MailboxAuthError);
      expect(e.message).toContain(code);
    },
  );

  it('a throttled or failing token endpoint is transient, honouring Retry-After', () => {
    const e = classifyTokenError({ status: 429, reasons: [], message: 'slow down', retryAfter: '5' }, now);
    expect(e).toBeInstanceOf(TransientMailError);
    expect((e as TransientMailError).retryAfterMs).toBe(5000);
    expect(classifyTokenError({ status: 503, reasons: [], message: 'x' }, now)).toBeInstanceOf(
      TransientMailError,
    );
    expect(classifyTokenError({ reasons: [], message: 'x', network: 'timeout' }, now)).toBeInstanceOf(
      TransientMailError,
    );
  });
});
