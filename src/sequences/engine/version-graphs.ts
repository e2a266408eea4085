import { Injectable } from '@nestjs/common';
import type { ThreadMode } from '../../generated/prisma/enums.js';
import type { Tx } from '../../prisma/prisma.service.js';
import type { SequenceGraph } from '../core/graph.js';
import { graphFromRows } from '../sequence-steps.js';

export interface LoadedVersion {
  id: string;
  version: number;
  graph: SequenceGraph;
  steps: ReadonlyMap<string, { id: string; contentId: string | null; threadMode: ThreadMode | null }>;
}

const MAX_CACHED = 2000;

/**
 * Published versions as the engine walks them. They never change, so each process keeps the ones
 * it has loaded (a bounded cache) and reads each from the database once.
 */
@Injectable()
export class VersionGraphs {
  private readonly cache = new Map<string, LoadedVersion>();

  async load(tx: Tx, versionIds: Iterable<string>): Promise<Map<string, LoadedVersion>> {
    const wanted = [...new Set(versionIds)];
    const missing = wanted.filter((id) => !this.cache.has(id));
    if (missing.length) {
      const rows = await tx.sequenceVersion.findMany({
        where: { id: { in: missing } },
        include: { steps: true },
      });
      if (this.cache.size + rows.length > MAX_CACHED) this.cache.clear();
      for (const v of rows) {
        if (!v.publishedAt) continue; // only published versions are immutable
        this.cache.set(v.id, {
          id: v.id,
          version: v.version,
          graph: graphFromRows(v.entryStepKey, v.steps),
          steps: new Map(
            v.steps.map((s) => [s.key, { id: s.id, contentId: s.contentId, threadMode: s.threadMode }]),
          ),
        });
      }
    }
    return new Map(wanted.flatMap((id) => (this.cache.has(id) ? [[id, this.cache.get(id)!] as const] : [])));
  }
}
