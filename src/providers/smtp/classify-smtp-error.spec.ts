import {
  MailboxAuthError,
  MailboxQuotaError,
  PermanentMailError,
  TransientMailError,
  UnknownOutcomeMailError,
} from '../mail-errors.js';
import { classifySmtpError, type SmtpErrorLike } from './classify-smtp-error.js';

const smtpError = (fields: SmtpErrorLike) => Object.assign(new Error(fields.message ?? 'failed'), fields);
const before = { dataSent: false };
const after = { dataSent: true };

describe('classifySmtpError', () => {
  it.each([
    [550, 'RCPT TO', '550 5.1.1 user unknown'],
    [553, 'RCPT TO', '553 5.1.3 bad recipient address syntax'],
    [554, 'DATA', '554 5.7.1 message rejected as spam'],
    [552, 'DATA', '552 5.3.4 message too big'],
  ])('%i at %s is permanent, with the server reply', (responseCode, command, response) => {
    const e = classifySmtpError(smtpError({ code: 'EENVELOPE', responseCode, command, response }), after);
    expect(e).toBeInstanceOf(PermanentMailError);
    expect(e.message).toBe(response);
  });

  it.each([421, 450, 451, 452, 503])('%i is transient', (responseCode) => {
    const e = classifySmtpError(
      smtpError({
        code: 'EENVELOPE',
        responseCode,
        command: 'RCPT TO',
        response: `${responseCode} try later`,
      }),
      before,
    );
    expect(e).toBeInstanceOf(TransientMailError);
  });

  it('a 4xx answer to the message itself is transient: the server said it did not take it', () => {
    const e = classifySmtpError(
      smtpError({ code: 'EMESSAGE', responseCode: 451, command: 'DATA', response: '451 4.3.0 local error' }),
      after,
    );
    expect(e).toBeInstanceOf(TransientMailError);
  });

  it.each([
    [
      {
        code: 'EAUTH',
        responseCode: 535,
        command: 'AUTH PLAIN',
        response: '535 5.7.8 Authentication failed',
      },
    ],
    [
      {
        code: 'EENVELOPE',
        responseCode: 530,
        command: 'MAIL FROM',
        response: '530 5.7.0 Authentication required',
      },
    ],
    [
      {
        code: 'EAUTH',
        responseCode: 534,
        command: 'AUTH PLAIN',
        response: '534 5.7.9 Application-specific password required',
      },
    ],
    [{ code: 'EAUTH', command: 'API', message: 'Missing credentials for "PLAIN"' }],
    [
      {
        code: 'EENVELOPE',
        responseCode: 550,
        command: 'MAIL FROM',
        response: '550 5.7.1 Sender address not owned by user',
      },
    ],
  ])('auth failures and refused senders stop the mailbox: %j', (fields) => {
    expect(classifySmtpError(smtpError(fields), before)).toBeInstanceOf(MailboxAuthError);
  });

  it("the sender's own sending limit is a quota error, a full recipient mailbox is not", () => {
    const quota = smtpError({
      code: 'EENVELOPE',
      responseCode: 550,
      command: 'MAIL FROM',
      response: '550 5.4.5 Daily user sending limit exceeded',
    });
    expect(classifySmtpError(quota, before)).toBeInstanceOf(MailboxQuotaError);
    const full = smtpError({
      code: 'EENVELOPE',
      responseCode: 452,
      command: 'RCPT TO',
      response: '452 4.2.2 The email account is over quota',
    });
    expect(classifySmtpError(full, before)).toBeInstanceOf(TransientMailError);
  });

  it.each([
    [
      {
        code: 'ESOCKET',
        originalCode: 'ECONNREFUSED',
        command: 'CONN',
        message: 'connect ECONNREFUSED 127.0.0.1:1',
      },
    ],
    [{ code: 'ETIMEDOUT', command: 'CONN', message: 'Connection timeout' }],
    [{ code: 'ESOCKET', originalCode: 'ECONNRESET', command: 'CONN', message: 'read ECONNRESET' }],
    [{ code: 'ECONNECTION', command: 'CONN', message: 'Connection closed unexpectedly' }],
    [{ code: 'EDNS', command: 'CONN', message: 'getaddrinfo ENOTFOUND smtp.invalid' }],
  ])('connection failures before DATA are transient: %j', (fields) => {
    expect(classifySmtpError(smtpError(fields), before)).toBeInstanceOf(TransientMailError);
  });

  it.each([
    [{ code: 'ECONNECTION', command: 'CONN', message: 'Connection closed unexpectedly' }, after],
    [{ code: 'ETIMEDOUT', command: 'CONN', message: 'Timeout' }, after],
    [{ code: 'ESOCKET', originalCode: 'ECONNRESET', command: 'CONN', message: 'read ECONNRESET' }, after],
    [{ code: 'ECONNECTION', command: 'DATA', message: 'Connection closed unexpectedly' }, before],
  ])('a connection lost after DATA has an unknown outcome: %j', (fields, context) => {
    expect(classifySmtpError(smtpError(fields), context)).toBeInstanceOf(UnknownOutcomeMailError);
  });

  it('an address nodemailer refuses before sending is permanent; a MailError passes through', () => {
    const invalid = smtpError({ code: 'EENVELOPE', command: 'API', message: 'Invalid recipient "x"' });
    expect(classifySmtpError(invalid, before)).toBeInstanceOf(PermanentMailError);
    const own = new TransientMailError('already classified', 1000);
    expect(classifySmtpError(own, after)).toBe(own);
    expect(classifySmtpError('weird', before)).toBeInstanceOf(TransientMailError);
  });

  it('a server without STARTTLS, for a mailbox that requires it, needs the mailbox reconnected', () => {
    const noTls = smtpError({ code: 'ETLS', command: 'CONN', message: 'Server does not support STARTTLS' });
    expect(classifySmtpError(noTls, before)).toBeInstanceOf(MailboxAuthError);
  });
});
