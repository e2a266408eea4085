import { Injectable } from '@nestjs/common';
import type { OutgoingMessage } from '../../providers/mail-provider.port.js';
import { TrackingLinks } from '../links/tracking-links.js';
import { ContentCache } from './content-cache.js';
import { buildMime, linksOf, renderParts, templateContext } from './message-builder.js';

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

/**
 * Renders one message for its contact and mailbox and builds its MIME: Liquid templates parsed once
 * per content, tracked links and the open pixel when the content asks for them, the thread headers
 * of a follow-up. Throws TemplateError when the templates cannot be rendered for this contact.
 */
@Injectable()
export class Renderer {
  constructor(
    private readonly contents: ContentCache,
    private readonly links: TrackingLinks,
  ) {}

  async render(m: RenderInput, mailbox: { email: string }): Promise<OutgoingMessage> {
    const content = await this.contents.get(m.contentId);
    const unsubscribeUrl = this.links.unsubscribeUrl(m.id);
    const parts = renderParts(
      content,
      templateContext({ email: m.email, ...m.contact }, content, mailbox.email, unsubscribeUrl),
    );
    let trackLink: ((url: string) => string) | undefined;
    let honeypotUrl: string | undefined;
    if (content.trackClicks) {
      const ids = await this.contents.linkIds(content.id, linksOf(parts.html));
      trackLink = (url) => {
        const linkId = ids.get(url);
        return linkId ? this.links.clickUrl(m.id, linkId) : url;
      };
      honeypotUrl = this.links.clickUrl(m.id, await this.contents.honeypotId(content.id));
    }
    const { raw, subject } = await buildMime(content, parts, {
      messageId: m.messageId,
      fromEmail: mailbox.email,
      to: m.email,
      unsubscribeUrl,
      openPixelUrl: content.trackOpens ? this.links.openPixelUrl(m.id) : undefined,
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
}
