import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';

/** The sent message a simulated answer refers to. */
export interface AnsweredMessage {
  /** Its Message-ID header (ours, with angle brackets). */
  messageId: string;
  references: string[];
  subject: string | null;
  /** The recipient, who answers. */
  to: string;
  /** The SANDBOX mailbox it was sent from. */
  from: string;
}

const domainOf = (address: string) => address.split('@')[1] ?? 'sandbox.invalid';
const newId = (address: string) => `<sandbox.${randomUUID()}@${domainOf(address)}>`;
const build = (composer: MailComposer) =>
  new Promise<Buffer>((resolve, reject) =>
    composer.compile().build((err, message) => (err ? reject(err) : resolve(message))),
  );

/**
 * The MIME a recipient's mail client would send back: In-Reply-To and References of the sent
 * message, "Re:" subject, and for an automatic reply the headers out-of-office responders set.
 */
export function sandboxReply(m: AnsweredMessage, options: { body?: string | null; automatic?: boolean }) {
  const subject = m.subject ?? '';
  const automatic = !!options.automatic;
  return build(
    new MailComposer({
      from: m.to,
      to: m.from,
      subject: automatic ? `Automatic reply: ${subject}` : `Re: ${subject}`,
      text:
        options.body ??
        (automatic
          ? 'I am out of the office and will reply when I am back.'
          : 'Thanks, this is a simulated reply.'),
      messageId: newId(m.to),
      inReplyTo: m.messageId,
      references: [...m.references, m.messageId],
      headers: automatic ? { 'Auto-Submitted': 'auto-replied', 'X-Autoreply': 'yes' } : {},
    }),
  );
}

/**
 * A delivery-status notification (RFC 3464) as the recipient's server would return it: a
 * permanent 5.1.1 (hard) or a temporary 4.2.2 (soft) failure, with the sent message's headers.
 */
export function sandboxBounce(m: AnsweredMessage, options: { hard: boolean }) {
  const status = options.hard ? '5.1.1' : '4.2.2';
  const boundary = `sandbox-dsn-${randomUUID()}`;
  const reportingMta = `mx.${domainOf(m.to)}`;
  const text = options.hard
    ? `Your message to ${m.to} could not be delivered: the address does not exist.`
    : `Your message to ${m.to} has not been delivered yet: the mailbox is full. Delivery will be retried.`;
  return Buffer.from(
    [
      `From: Mail Delivery Subsystem <mailer-daemon@${reportingMta}>`,
      `To: ${m.from}`,
      `Subject: ${options.hard ? 'Undelivered Mail Returned to Sender' : 'Delayed Mail (still being retried)'}`,
      `Date: ${new Date().toUTCString()}`,
      `Message-ID: ${newId(reportingMta)}`,
      `In-Reply-To: ${m.messageId}`,
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      text,
      '',
      `--${boundary}`,
      'Content-Type: message/delivery-status',
      '',
      `Reporting-MTA: dns; ${reportingMta}`,
      '',
      `Final-Recipient: rfc822; ${m.to}`,
      `Action: ${options.hard ? 'failed' : 'delayed'}`,
      `Status: ${status}`,
      `Diagnostic-Code: smtp; ${options.hard ? '550' : '452'} ${status} ${options.hard ? 'No such user (simulated)' : 'Mailbox full (simulated)'}`,
      '',
      `--${boundary}`,
      'Content-Type: text/rfc822-headers',
      '',
      `From: ${m.from}`,
      `To: ${m.to}`,
      `Subject: ${m.subject ?? ''}`,
      `Message-ID: ${m.messageId}`,
      '',
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}
