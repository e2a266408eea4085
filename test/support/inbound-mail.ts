/**
 * Inbound mail as providers deliver it, for the fakes' `deliver()`: a person's reply, an
 * out-of-office auto-reply, and a delivery-status notification (RFC 3464 multipart/report).
 */
const date = () => new Date().toUTCString();
let n = 0;
const id = (host: string) => `<in${++n}.${Date.now()}@${host}>`;

export function reply(
  from: string,
  to: string,
  original: { messageId: string; subject: string },
  text = 'Sounds good, let us talk.',
) {
  return [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: Re: ${original.subject}`,
    `Date: ${date()}`,
    `Message-ID: ${id('replies.example')}`,
    `In-Reply-To: ${original.messageId}`,
    `References: ${original.messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
    '',
  ].join('\r\n');
}

export function autoReply(from: string, to: string, original: { messageId: string; subject: string }) {
  return [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: Automatic reply: ${original.subject}`,
    `Date: ${date()}`,
    `Message-ID: ${id('replies.example')}`,
    `In-Reply-To: ${original.messageId}`,
    'Auto-Submitted: auto-replied',
    'X-Autoreply: yes',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'I am out of the office until Monday.',
    '',
  ].join('\r\n');
}

/** A hard (5.1.1) or soft (4.2.2) bounce from the mailbox provider's mailer-daemon. */
export function bounce(
  mailbox: string,
  failedRecipient: string,
  original: { messageId: string; subject: string },
  options: { status?: string; daemon?: string; subjectPrefix?: string } = {},
) {
  const status = options.status ?? '5.1.1';
  const boundary = `b${++n}`;
  return [
    `From: Mail Delivery Subsystem <${options.daemon ?? 'mailer-daemon@googlemail.com'}>`,
    `To: ${mailbox}`,
    `Subject: ${options.subjectPrefix ?? 'Delivery Status Notification (Failure)'}`,
    `Date: ${date()}`,
    `Message-ID: ${id('mx.example')}`,
    `In-Reply-To: ${original.messageId}`,
    `X-Failed-Recipients: ${failedRecipient}`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Your message wasn't delivered to ${failedRecipient} because the address couldn't be found.`,
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example',
    '',
    `Final-Recipient: rfc822; ${failedRecipient}`,
    `Action: ${status.startsWith('5') ? 'failed' : 'delayed'}`,
    `Status: ${status}`,
    `Diagnostic-Code: smtp; ${status.startsWith('5') ? '550' : '452'} ${status} mailbox problem`,
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    `Message-ID: ${original.messageId}`,
    `Subject: ${original.subject}`,
    `To: ${failedRecipient}`,
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n');
}
