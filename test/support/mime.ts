import MailComposer from 'nodemailer/lib/mail-composer';
import type { OutgoingMessage } from '../../src/providers/mail-provider.port.js';

let n = 0;

/**
 * A message as the delivery pipeline builds it (nodemailer's composer): HTML + text parts, an
 * attachment, List-Unsubscribe (RFC 8058) and our Message-ID.
 */
export async function outgoing(
  from: string,
  to: string,
  options: { subject?: string; inReplyTo?: string; threadId?: string; messageId?: string } = {},
): Promise<OutgoingMessage> {
  const messageId = options.messageId ?? `<m${++n}.${Date.now()}@campaign-engine.test>`;
  const subject = options.subject ?? `Hello ${n}`;
  const raw = await new MailComposer({
    from: `Sales <${from}>`,
    to,
    subject,
    messageId,
    inReplyTo: options.inReplyTo,
    references: options.inReplyTo,
    text: 'Plain text part',
    html: '<p>HTML <b>part</b></p>',
    attachments: [{ filename: 'price-list.csv', content: 'a,b\n1,2\n' }],
    headers: {
      'List-Unsubscribe': '<https://engine.test/u/abc>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  })
    .compile()
    .build();
  return { messageId, from, to, subject, raw, threadId: options.threadId };
}
