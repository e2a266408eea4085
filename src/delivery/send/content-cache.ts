import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../prisma/prisma.service.js';
import { compileContent, type CompiledContent } from './message-builder.js';

/** Contents a worker keeps parsed in memory (content never changes once stored). */
const SIZE = 50;
const HONEYPOT = 'honeypot:';

interface Stored {
  filename: string;
  contentType: string;
  data: string;
}

export const urlHash = (url: string) => createHash('sha256').update(url).digest('hex');

/**
 * Contents by id, loaded and parsed once per process (attachments may weigh megabytes), and the
 * ids of their tracked links. A content is immutable, so the cache never goes stale; it only
 * forgets the least recently used.
 */
@Injectable()
export class ContentCache {
  private readonly contents = new Map<string, Promise<CompiledContent>>();
  private readonly links = new Map<string, Map<string, string>>();

  constructor(private readonly prisma: PrismaService) {}

  get(contentId: string): Promise<CompiledContent> {
    let entry = this.contents.get(contentId);
    if (entry) {
      this.contents.delete(contentId); // most recently used last
    } else {
      entry = this.load(contentId).then(compileContent);
      entry.catch(() => this.contents.delete(contentId));
    }
    this.contents.set(contentId, entry);
    while (this.contents.size > SIZE) {
      const oldest = this.contents.keys().next().value as string;
      this.contents.delete(oldest);
      this.links.delete(oldest);
    }
    return entry;
  }

  /** The content and its attachments in one round trip (a group's first send waits for it). */
  private async load(contentId: string) {
    const [row] = await this.prisma.sql.$queryRaw<
      (Omit<Parameters<typeof compileContent>[0], 'attachments'> & { files: Stored[] })[]
    >`
      SELECT c.id::text, c.subject, c."htmlBody", c."textBody", c."fromName", c."replyTo", c."trackOpens",
             c."trackClicks", c.variables,
             COALESCE((SELECT json_agg(json_build_object('filename', a.filename, 'contentType', a."contentType",
                                                         'data', encode(a.data, 'base64')) ORDER BY a.position)
                       FROM "MessageAttachment" a WHERE a."contentId" = c.id), '[]'::json) AS files
      FROM "MessageContent" c WHERE c.id = ${contentId}::uuid`;
    if (!row) throw new Error(`Content ${contentId} does not exist`);
    const { files, ...content } = row;
    return {
      ...content,
      attachments: files.map((f) => ({ ...f, data: Buffer.from(f.data, 'base64') })),
    };
  }

  /**
   * The stored link ids of `urls` in a content, storing the ones not seen before (one statement
   * for a whole batch). A click token names one of these, and a click only ever redirects to it.
   */
  async linkIds(contentId: string, urls: string[]): Promise<Map<string, string>> {
    const known = this.links.get(contentId) ?? new Map<string, string>();
    this.links.set(contentId, known);
    const missing = [...new Set(urls)].filter((u) => !known.has(u));
    if (missing.length) {
      const hashes = missing.map(urlHash);
      await this.prisma.db.$executeRaw`
        INSERT INTO "TrackedLink" ("contentId", url, "urlHash")
        SELECT ${contentId}::uuid, u.url, u.hash FROM unnest(${missing}::text[], ${hashes}::text[]) AS u(url, hash)
        ON CONFLICT ("contentId", "urlHash") DO NOTHING`;
      const rows = await this.prisma.db.trackedLink.findMany({
        where: { contentId, urlHash: { in: hashes } },
        select: { id: true, url: true },
      });
      for (const r of rows) known.set(r.url, r.id);
    }
    return known;
  }

  /** The content's honeypot link: invisible to people, so whoever follows it is a machine. */
  async honeypotId(contentId: string): Promise<string> {
    const marker = `${HONEYPOT}${contentId}`;
    return (await this.linkIds(contentId, [marker])).get(marker)!;
  }
}

export const isHoneypot = (url: string) => url.startsWith(HONEYPOT);
