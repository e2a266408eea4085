/**
 * The campaign benchmark's bare loop: the same render + MIME + hand-off as the engine's pipeline
 * (message-builder, tracking URLs, one raw message kept per contact) over the campaign's contacts,
 * with no database or queue on the path. `campaign-throughput` forks it right after its campaign
 * and gets `BareResult` back. It runs apart from the engine's process: there it shared the engine's
 * heap and background work, and what it kept (20,000 messages, their contacts) stayed in the RSS
 * measured at the big start.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { LinkSigner } from '../src/delivery/links/link-signer.js';
import {
  buildMime,
  compileContent,
  renderParts,
  templateContext,
} from '../src/delivery/send/message-builder.js';

export interface BareTask {
  databaseUrl: string;
  organizationId: string;
  /** The campaign's list: its members are the contacts rendered. */
  listId: string;
  publicUrl: string;
  secret: string;
  /** The campaign's stored content, as `compileContent` takes it. */
  content: Parameters<typeof compileContent>[0];
  /** Messages rendered (over the same contacts) before the timed loop, as the engine's warm-up campaign. */
  warmup: number;
}

export interface BareResult {
  bareMs: number;
  bareCpuMs: number;
  bareCount: number;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function bareLoop(task: BareTask): Promise<BareResult> {
  const db = new pg.Client({ connectionString: task.databaseUrl });
  await db.connect();
  const { rows: contacts } = await db
    .query<{
      email: string;
      firstName: string | null;
      lastName: string | null;
      company: string | null;
      timezone: string | null;
      attributes: unknown;
    }>(
      `SELECT c.email, c."firstName", c."lastName", c.company, c.timezone, c.attributes
         FROM "Contact" c JOIN "ContactListMember" m ON m."contactId" = c.id
        WHERE c."organizationId" = $1 AND m."listId" = $2 ORDER BY c."createdAt", c.id`,
      [task.organizationId, task.listId],
    )
    .finally(() => db.end());
  const links = new LinkSigner({ publicUrl: task.publicUrl, jwt: { secret: task.secret } });
  let cpu0 = cpuMs();
  let start = performance.now();
  const content = compileContent(task.content);
  const renderOne = async (c: (typeof contacts)[number], i: number) => {
    const id = crypto.randomUUID();
    const unsubscribeUrl = links.unsubscribeUrl(id);
    const parts = renderParts(content, templateContext(c, content, 'a@bench.example.com', unsubscribeUrl));
    const { raw } = await buildMime(content, parts, {
      messageId: `<m.${id}@bench.example.com>`,
      fromEmail: i % 2 ? 'b@bench.example.com' : 'a@bench.example.com',
      to: c.email,
      unsubscribeUrl,
      openPixelUrl: links.openPixelUrl(id),
    });
    return { id, raw };
  };
  if (task.warmup) {
    for (let i = 0; i < task.warmup; i++) await renderOne(contacts[i % contacts.length], i);
    [cpu0, start] = [cpuMs(), performance.now()];
  }
  const sink = new Map<string, Buffer>();
  for (const [i, c] of contacts.entries()) {
    const { id, raw } = await renderOne(c, i);
    sink.set(id, raw);
  }
  return { bareMs: performance.now() - start, bareCpuMs: cpuMs() - cpu0, bareCount: sink.size };
}

// Forked by campaign-throughput: one task in, its result out.
process.once('message', (task: BareTask) => {
  bareLoop(task).then(
    (result) => process.send!(result, () => process.exit(0)),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
});
