import { decodeHTMLAttribute } from 'entities';
import { compile } from 'html-to-text';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import {
  compileTemplate,
  renderCompiled,
  type CompiledTemplate,
  type TemplateContext,
} from '../../common/templates/liquid-templates.js';

/** Content as the builder needs it: templates parsed once, attachments in memory. */
export interface CompiledContent {
  id: string;
  subject: CompiledTemplate;
  html: CompiledTemplate;
  text: CompiledTemplate | null;
  fromName: string | null;
  replyTo: string | null;
  trackOpens: boolean;
  trackClicks: boolean;
  variables: Record<string, unknown>;
  attachments: { filename: string; contentType: string; content: Buffer }[];
}

export function compileContent(c: {
  id: string;
  subject: string;
  htmlBody: string;
  textBody: string | null;
  fromName: string | null;
  replyTo: string | null;
  trackOpens: boolean;
  trackClicks: boolean;
  variables: unknown;
  attachments: { filename: string; contentType: string; data: Uint8Array }[];
}): CompiledContent {
  return {
    id: c.id,
    subject: compileTemplate(c.subject),
    html: compileTemplate(c.htmlBody),
    text: c.textBody ? compileTemplate(c.textBody) : null,
    fromName: c.fromName,
    replyTo: c.replyTo,
    trackOpens: c.trackOpens,
    trackClicks: c.trackClicks,
    variables: (c.variables ?? {}) as Record<string, unknown>,
    attachments: c.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: Buffer.from(a.data),
    })),
  };
}

export interface MessageEnvelope {
  messageId: string;
  fromEmail: string;
  to: string;
  unsubscribeUrl: string;
  openPixelUrl?: string;
  /** Rewrites each http(s) link of the HTML part (click tracking); the text part keeps the originals. */
  trackLink?: (url: string) => string;
  /** An invisible link only machines follow (click tracking's honeypot). */
  honeypotUrl?: string;
  inReplyTo?: string;
  references?: string[];
}

/** The template data of one contact sent from one mailbox. */
export function templateContext(
  contact: Omit<TemplateContext['contact'], 'attributes'> & { attributes: unknown },
  content: Pick<CompiledContent, 'fromName' | 'variables'>,
  mailboxEmail: string,
  unsubscribeUrl: string,
): TemplateContext {
  return {
    ...content.variables,
    contact: { ...contact, attributes: (contact.attributes ?? {}) as Record<string, unknown> },
    sender: { name: content.fromName, email: mailboxEmail },
    unsubscribe_url: unsubscribeUrl,
  };
}

/** The deterministic RFC 5322 Message-ID of a message, on the mailbox's domain. */
export function messageIdFor(id: string, mailboxEmail: string) {
  const domain = mailboxEmail.split('@')[1] ?? 'campaign-engine.local';
  return `<m.${id}@${domain}>`;
}

/** The ledger id inside one of our Message-IDs (`<m.<uuid>@…>`, also the older `<r.…>`), or null. */
export function ledgerIdOf(messageIdHeader: string): string | null {
  const m = /^<?[mrs]\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@/i.exec(
    messageIdHeader.trim(),
  );
  return m ? m[1].toLowerCase() : null;
}

const LINK = /(<a\b[^>]*?\bhref\s*=\s*)(["'])(https?:\/\/[^"']+)\2/gi;

/** The distinct http(s) links of rendered HTML, as a browser would read them (entities decoded). */
export function linksOf(html: string): string[] {
  return [...new Set([...html.matchAll(LINK)].map((m) => decodeHTMLAttribute(m[3])))];
}

function rewriteLinks(html: string, track: (url: string) => string) {
  return html.replace(LINK, (_all, start: string, quote: string, href: string) => {
    return `${start}${quote}${track(decodeHTMLAttribute(href)).replace(/&/g, '&amp;')}${quote}`;
  });
}

function beforeBodyEnd(html: string, insert: string) {
  return /<\/body>/i.test(html) ? html.replace(/<\/body>/i, `${insert}</body>`) : html + insert;
}

/** The plain-text part derived from HTML; compiled once (compiling per call costs 50 times the conversion). */
const htmlToText = compile({ wordwrap: 78, selectors: [{ selector: 'img', format: 'skip' }] });

/** Renders the templates for one contact (throws TemplateError when they cannot be). */
export function renderParts(content: CompiledContent, context: TemplateContext) {
  const subject = renderCompiled(content.subject, context, 'text')
    .replace(/[\r\n]+/g, ' ')
    .trim();
  const html = renderCompiled(content.html, context, 'html');
  const text = content.text ? renderCompiled(content.text, context, 'text') : htmlToText(html);
  return { subject, html, text };
}

/**
 * Builds the complete MIME message from rendered parts: HTML and plain-text alternatives,
 * attachments, the stored Message-ID, thread headers, RFC 8058 one-click unsubscribe headers and,
 * when enabled, tracked links and the open pixel.
 */
export async function buildMime(
  content: CompiledContent,
  parts: { subject: string; html: string; text: string },
  env: MessageEnvelope,
) {
  let html = env.trackLink ? rewriteLinks(parts.html, env.trackLink) : parts.html;
  if (env.honeypotUrl) {
    html = beforeBodyEnd(
      html,
      `<a href="${env.honeypotUrl.replace(/&/g, '&amp;')}" style="display:none" aria-hidden="true" tabindex="-1">&#8203;</a>`,
    );
  }
  if (env.openPixelUrl) {
    html = beforeBodyEnd(
      html,
      `<img src="${env.openPixelUrl}" width="1" height="1" alt="" style="display:none">`,
    );
  }
  const composer = new MailComposer({
    from: content.fromName ? { name: content.fromName, address: env.fromEmail } : env.fromEmail,
    to: env.to,
    replyTo: content.replyTo ?? undefined,
    subject: parts.subject,
    html,
    text: parts.text,
    messageId: env.messageId,
    inReplyTo: env.inReplyTo,
    references: env.references,
    attachments: content.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.content,
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
  return { raw, subject: parts.subject };
}
