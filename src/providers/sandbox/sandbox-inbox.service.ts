import { createHmac, timingSafeEqual } from 'node:crypto';
import { normalizeEmail } from '../../common/validation/email.js';
import { Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { simpleParser } from 'mailparser';
import { APP_CONFIG } from '../../config/config.module.js';
import type { ResolvedConfig } from '../../config/config.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import type { InboxListPage, InboxMessageView } from './inbox-page.js';
import { TRACKING_PATHS } from '../../common/tracking-paths.js';

const OPEN_PIXEL = new RegExp(`<img\\b[^>]*${TRACKING_PATHS.openPixel.replace(/\//g, '\\/')}[^>]*>`, 'gi');

/** Looking at a message in the sandbox inbox is not the recipient opening it: leave the pixel out. */
function withoutOpenPixel(html: string) {
  return html.replace(OPEN_PIXEL, '<!-- open-tracking pixel, not loaded in the sandbox inbox -->');
}

export const INBOX_PAGE_SIZE = 50;

/**
 * The sandbox inbox: what the SANDBOX provider "sent", per organization. The page needs no login
 * (it opens from a printed link) but every URL carries `key`, an HMAC of the organization id under
 * the JWT secret, so knowing an organization id is not enough to read its mail.
 */
@Injectable()
export class SandboxInboxService {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /** The full URL of the organization's sandbox inbox. */
  inboxUrl(organizationId: string): string {
    const query = new URLSearchParams({ org: organizationId, key: this.keyFor(organizationId) });
    return `${this.config.publicUrl}/sandbox/inbox?${query.toString()}`;
  }

  /** Whether `key` opens the inbox of `organizationId` (constant-time comparison). */
  isValidKey(organizationId: string, key: string): boolean {
    if (!isUUID(organizationId)) return false;
    const expected = Buffer.from(this.keyFor(organizationId));
    const given = Buffer.from(key);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** One page of the organization's sandbox messages, newest first, optionally to one address. */
  async list(organizationId: string, page: number, to?: string): Promise<InboxListPage> {
    const current = Number.isSafeInteger(page) && page > 0 ? page : 1;
    const rows = await this.prisma.db.sandboxMessage.findMany({
      where: { organizationId, ...(to ? { toAddress: normalizeEmail(to) } : {}) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      skip: (current - 1) * INBOX_PAGE_SIZE,
      take: INBOX_PAGE_SIZE + 1,
      select: { id: true, fromAddress: true, toAddress: true, subject: true, createdAt: true },
    });
    return {
      page: current,
      to: to || undefined,
      hasNext: rows.length > INBOX_PAGE_SIZE,
      messages: rows.slice(0, INBOX_PAGE_SIZE).map((r) => ({
        id: r.id,
        from: r.fromAddress,
        to: r.toAddress,
        subject: r.subject,
        createdAt: r.createdAt,
      })),
    };
  }

  /** One message of the organization, parsed for display; null when it is not theirs. */
  async message(organizationId: string, id: string): Promise<InboxMessageView | null> {
    const row = await this.raw(organizationId, id);
    if (!row) return null;
    const parsed = await simpleParser(row.raw);
    return {
      id: row.id,
      from: row.fromAddress,
      to: row.toAddress,
      subject: parsed.subject ?? row.subject,
      messageId: row.messageId,
      threadId: row.threadId,
      createdAt: row.createdAt,
      headers: parsed.headerLines.map((h) => h.line),
      html: typeof parsed.html === 'string' ? withoutOpenPixel(parsed.html) : undefined,
      text: parsed.text,
      attachments: parsed.attachments.map((a) => ({
        filename: a.filename ?? '(unnamed)',
        contentType: a.contentType,
        size: a.size,
      })),
    };
  }

  /** The stored message as the recipient's server would have received it. */
  async raw(organizationId: string, id: string) {
    if (!isUUID(id)) return null;
    return this.prisma.db.sandboxMessage.findFirst({ where: { id, organizationId } });
  }

  private keyFor(organizationId: string): string {
    return createHmac('sha256', this.config.jwt.secret)
      .update(`sandbox-inbox:${organizationId}`)
      .digest('base64url');
  }
}
