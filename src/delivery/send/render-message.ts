import type { OutgoingMessage } from '../../providers/mail-provider.port.js';
import type { LinkSigner } from '../links/link-signer.js';
import { buildMime, linksOf, renderParts, templateContext, type CompiledContent } from './message-builder.js';

/** A claimed message with what rendering needs: its contact's fields and its thread. */
export interface RenderInput {
  id: string;
  email: string;
  contentId: string;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  threadProviderId: string | null;
  /** The stored contact's fields, or a sample contact's (test emails). */
  contact: {
    firstName: string | null;
    lastName: string | null;
    company: string | null;
    timezone: string | null;
    attributes: unknown;
  };
}

/** Where rendering finds a content, parsed, and the stored ids of its tracked links. */
export interface RenderContents {
  get(contentId: string): Promise<CompiledContent>;
  linkIds(contentId: string, urls: string[]): Promise<Map<string, string>>;
  honeypotId(contentId: string): Promise<string>;
}

export type LinkMaker = Pick<LinkSigner, 'unsubscribeUrl' | 'clickUrl' | 'openPixelUrl'>;

/**
 * Renders one message for its contact and mailbox and builds its MIME: Liquid templates parsed once
 * per content, tracked links and the open pixel when the content asks for them, the thread headers
 * of a follow-up. Throws TemplateError when the templates cannot be rendered for this contact.
 * Runs on the event loop or on a render thread alike (no Nest, no database: `contents` brings both).
 */
export async function renderMessage(
  m: RenderInput,
  mailbox: { email: string },
  contents: RenderContents,
  links: LinkMaker,
): Promise<OutgoingMessage> {
  const content = await contents.get(m.contentId);
  const unsubscribeUrl = links.unsubscribeUrl(m.id);
  const parts = renderParts(
    content,
    templateContext({ email: m.email, ...m.contact }, content, mailbox.email, unsubscribeUrl),
  );
  let trackLink: ((url: string) => string) | undefined;
  let honeypotUrl: string | undefined;
  if (content.trackClicks) {
    const ids = await contents.linkIds(content.id, linksOf(parts.html));
    trackLink = (url) => {
      const linkId = ids.get(url);
      return linkId ? links.clickUrl(m.id, linkId) : url;
    };
    honeypotUrl = links.clickUrl(m.id, await contents.honeypotId(content.id));
  }
  const { raw, subject } = await buildMime(content, parts, {
    messageId: m.messageId,
    fromEmail: mailbox.email,
    to: m.email,
    unsubscribeUrl,
    openPixelUrl: content.trackOpens ? links.openPixelUrl(m.id) : undefined,
    trackLink,
    honeypotUrl,
    inReplyTo: m.inReplyTo ?? undefined,
    references: m.references.length ? m.references : undefined,
  });
  return {
    messageId: m.messageId,
    from: mailbox.email,
    to: m.email,
    subject,
    raw,
    threadId: m.threadProviderId ?? undefined,
  };
}
