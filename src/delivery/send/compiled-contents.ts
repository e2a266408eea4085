import { compileContent, type CompiledContent } from './message-builder.js';
import type { RenderContents } from './render-message.js';

/** Contents kept parsed in memory per process or render thread. */
const SIZE = 50;
const HONEYPOT = 'honeypot:';

/** A stored content as loaded: templates as written, attachments as bytes. */
export type ContentSource = Parameters<typeof compileContent>[0];

/** Where contents come from and where link ids are stored: the database, or the main thread. */
export interface ContentStore {
  load(contentId: string): Promise<ContentSource>;
  /** Stores the links not stored yet; answers the ids of all of `urls`. */
  storeLinks(contentId: string, urls: string[]): Promise<{ url: string; id: string }[]>;
}

export const isHoneypot = (url: string) => url.startsWith(HONEYPOT);

/**
 * Contents by id, loaded and parsed once (attachments may weigh megabytes), and the ids of their
 * tracked links. A content is immutable, so the cache never goes stale; it only forgets the least
 * recently used. No Nest and no database of its own, so a render thread uses it too.
 */
export class CompiledContents implements RenderContents {
  private readonly contents = new Map<string, Promise<CompiledContent>>();
  private readonly links = new Map<string, Map<string, string>>();

  constructor(readonly store: ContentStore) {}

  get(contentId: string): Promise<CompiledContent> {
    let entry = this.contents.get(contentId);
    if (entry) {
      this.contents.delete(contentId); // most recently used last
    } else {
      entry = this.store.load(contentId).then(compileContent);
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

  /**
   * The stored link ids of `urls` in a content, storing the ones not seen before (one statement
   * for a whole batch). A click token names one of these, and a click only ever redirects to it.
   */
  async linkIds(contentId: string, urls: string[]): Promise<Map<string, string>> {
    const known = this.links.get(contentId) ?? new Map<string, string>();
    this.links.set(contentId, known);
    const missing = [...new Set(urls)].filter((u) => !known.has(u));
    if (missing.length) {
      for (const r of await this.store.storeLinks(contentId, missing)) known.set(r.url, r.id);
    }
    return known;
  }

  /** The content's honeypot link: invisible to people, so whoever follows it is a machine. */
  async honeypotId(contentId: string): Promise<string> {
    const marker = `${HONEYPOT}${contentId}`;
    return (await this.linkIds(contentId, [marker])).get(marker)!;
  }
}
