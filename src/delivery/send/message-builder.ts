import { convert } from 'html-to-text';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { renderTemplate, type TemplateContext } from '../../common/templates/liquid-templates.js';

export interface MessageContent {
  subject: string;
  htmlBody: string;
  textBody: string | null;
  fromName: string | null;
  replyTo: string | null;
  attachments: { filename: string; contentType: string; content: Uint8Array }[];
}

export interface MessageEnvelope {
  messageId: string;
  fromEmail: string;
  to: string;
  unsubscribeUrl: string;
  openPixelUrl?: string;
  inReplyTo?: string;
  references?: string[];
}

/** What templates see for one contact of a campaign sent from one mailbox. */
export function templateContext(
  contact: Omit<TemplateContext['contact'], 'attributes'> & { attributes: unknown },
  campaign: { name: string; fromName: string | null },
  mailboxEmail: string,
  unsubscribeUrl: string,
): TemplateContext {
  return {
    contact: { ...contact, attributes: (contact.attributes ?? {}) as Record<string, unknown> },
    sender: { name: campaign.fromName, email: mailboxEmail },
    campaign: { name: campaign.name },
    unsubscribe_url: unsubscribeUrl,
  };
}

/** The deterministic RFC 5322 Message-ID of one send, on the mailbox's domain. */
export function messageIdFor(kind: 'r' | 's', id: string, mailboxEmail: string) {
  const domain = mailboxEmail.split('@')[1] ?? 'campaign-engine.local';
  return `<${kind}.${id}@${domain}>`;
}

/**
 * Renders the Liquid templates for one contact and builds the complete MIME message: HTML and
 * plain-text alternatives, attachments, the stored Message-ID, RFC 8058 one-click unsubscribe
 * headers and, when enabled, the open-tracking pixel.
 */
export async function buildMessage(content: MessageContent, context: TemplateContext, env: MessageEnvelope) {
  const subject = renderTemplate(content.subject, context, 'text')
    .replace(/[\r\n]+/g, ' ')
    .trim();
  let html = renderTemplate(content.htmlBody, context, 'html');
  const text = content.textBody
    ? renderTemplate(content.textBody, context, 'text')
    : convert(html, { wordwrap: 78, selectors: [{ selector: 'img', format: 'skip' }] });
  if (env.openPixelUrl) {
    const pixel = `<img src="${env.openPixelUrl}" width="1" height="1" alt="" style="display:none">`;
    html = /<\/body>/i.test(html) ? html.replace(/<\/body>/i, `${pixel}</body>`) : html + pixel;
  }
  const composer = new MailComposer({
    from: content.fromName ? { name: content.fromName, address: env.fromEmail } : env.fromEmail,
    to: env.to,
    replyTo: content.replyTo ?? undefined,
    subject,
    html,
    text,
    messageId: env.messageId,
    inReplyTo: env.inReplyTo,
    references: env.references,
    attachments: content.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: Buffer.from(a.content),
    })),
    // RFC 8058 one-click unsubscribe (MailComposer does not expand nodemailer's `list` option).
    headers: {
      'List-Unsubscribe': `<${env.unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  });
  const raw = await new Promise<Buffer>((resolve, reject) =>
    composer.compile().build((err, message) => (err ? reject(err) : resolve(message))),
  );
  return { raw, subject };
}
