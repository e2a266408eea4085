import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../prisma/prisma.service.js';
import { CompiledContents, type ContentSource, type ContentStore } from './compiled-contents.js';

export { isHoneypot } from './compiled-contents.js';

interface Stored {
  filename: string;
  contentType: string;
  data: string;
}

export const urlHash = (url: string) => createHash('sha256').update(url).digest('hex');

/** Contents and their tracked links, read from and stored in the database. */
class DatabaseContents implements ContentStore {
  constructor(private readonly prisma: PrismaService) {}

  /** The content and its attachments in one round trip (a group's first send waits for it). */
  async load(contentId: string): Promise<ContentSource> {
    const [row] = await this.prisma.sql.$queryRaw<
      (Omit<ContentSource, 'attachments'> & { files: Stored[] })[]
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

  async storeLinks(contentId: string, urls: string[]) {
    const hashes = urls.map(urlHash);
    await this.prisma.db.$executeRaw`
      INSERT INTO "TrackedLink" ("contentId", url, "urlHash")
      SELECT ${contentId}::uuid, u.url, u.hash FROM unnest(${urls}::text[], ${hashes}::text[]) AS u(url, hash)
      ON CONFLICT ("contentId", "urlHash") DO NOTHING`;
    return this.prisma.db.trackedLink.findMany({
      where: { contentId, urlHash: { in: hashes } },
      select: { id: true, url: true },
    });
  }
}

/**
 * The process's contents, parsed once (see CompiledContents), over the database. Render threads
 * reach the database through `store`: they ask this process for a content or for link ids.
 */
@Injectable()
export class ContentCache extends CompiledContents {
  constructor(prisma: PrismaService) {
    super(new DatabaseContents(prisma));
  }
}
