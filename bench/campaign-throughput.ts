/**
 * `npm run bench`: figures of one engine process (role all) on this machine, through the public
 * GraphQL API, against a real (embedded) PostgreSQL and a local redis-server:
 *   1. CSV import of BENCH_CONTACTS contacts (rows/s);
 *   2. a campaign to all of them over two SANDBOX mailboxes, sendCampaign → COMPLETED (messages/s),
 *      and, in the same run, a bare loop doing the same render + MIME + hand-off with no database
 *      or queue (messages/s; in a process of its own, bench/bare-loop.ts), and the ratio of the two;
 *      with BENCH_WARMUP=n, both warm: a campaign over n other contacts first, n renders in the bare loop;
 *   3. sendCampaign → first provider call, p50 and p90 over BENCH_LATENCY_RUNS small campaigns;
 *   4. starting a campaign over BENCH_BIG_CONTACTS contacts (recipient generation), its duration and
 *      the engine's peak RSS, then cancelling it.
 * Prints the figures; docs/benchmarks.md records runs and how they were measured.
 */
import pg from 'pg';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SandboxProvider } from '../src/providers/sandbox/sandbox.provider.js';
import { DispatchService } from '../src/delivery/dispatch/dispatch.service.js';
import { BatchSender } from '../src/delivery/send/batch-sender.js';
import { Renderer } from '../src/delivery/send/renderer.js';
import { CampaignLifecycleService } from '../src/campaigns/campaign-lifecycle.service.js';
import { DeliveryService } from '../src/delivery/delivery.service.js';
import type { BareResult, BareTask } from './bare-loop.js';
import { printPgStats, resetPgStats, startBenchEngine } from './support.js';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 20_000);
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 15);
const BIG = Number(process.env.BENCH_BIG_CONTACTS ?? 1_000_000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 0);

const SUBJECT = 'Hi {{ contact.firstName }}';
const HTML =
  '<p>Hello {{ contact.firstName | default: "there" }} at {{ contact.company }}</p><p>{{ campaign.name }}</p>';

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);

/** CPU milliseconds used so far by this process, and by every process of the embedded PostgreSQL. */
const engineCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** CPU milliseconds (user + system) in a /proc `stat` file, and the name it gives (Linux, USER_HZ 100). */
function statCpu(path: string): { name: string; ms: number } {
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    ms: (Number(fields[11]) + Number(fields[12])) * 10,
  };
}
/** CPU milliseconds used so far by each thread of this process, by thread id. */
function threadCpu(): Map<number, { name: string; ms: number }> {
  const out = new Map<number, { name: string; ms: number }>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      out.set(Number(tid), statCpu(`/proc/self/task/${tid}/stat`));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}
function postgresCpu(): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres')) continue;
      total += statCpu(`/proc/${pid}/stat`).ms;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}
const pctl = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

/** BENCH_COUNT_QUERIES=1: how many statements the campaign phase sends, by their first words. */
const queryCounts = new Map<string, number>();
let countQueries = false;
if (process.env.BENCH_COUNT_QUERIES) {
  const query = pg.Client.prototype.query as (...a: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    if (countQueries) {
      const first = args[0] as string | { text?: string };
      const text = (typeof first === 'string' ? first : (first?.text ?? ''))
        .replace(/\s+/g, ' ')
        .slice(0, 70);
      queryCounts.set(text, (queryCounts.get(text) ?? 0) + 1);
    }
    return query.apply(this, args);
  } as typeof pg.Client.prototype.query;
}

async function main() {
  const pgStats = !!process.env.BENCH_PG_STATS;
  const engine = await startBenchEngine({ pgStats });
  const { app, gql, config, prisma } = engine;
  const poller = new pg.Client({ connectionString: config.databaseUrl });
  // The first provider call of each campaign, seen by wrapping the sandbox adapter (bench only).
  const provider = app.get(SandboxProvider);
  const calls: number[] = [];
  const sendMany = provider.sendMany.bind(provider);
  provider.sendMany = (...args) => {
    calls.push(performance.now());
    return sendMany(...args);
  };
  // BENCH_TRACE=1: when each stage of the first send starts (bench only).
  const trace: [string, number][] = [];
  if (process.env.BENCH_TRACE) {
    // Each traced method notes when it starts ("name") and ends ("/name").
    const wrap = (obj: object, names: string[]) => {
      const o = obj as Record<string, (...a: unknown[]) => Promise<unknown>>;
      for (const name of names) {
        const f = o[name].bind(obj);
        o[name] = (...a: unknown[]) => (
          trace.push([name, performance.now()]),
          f(...a).finally(() => trace.push([`/${name}`, performance.now()]))
        );
      }
    };
    wrap(app.get(CampaignLifecycleService), ['start']);
    wrap(app.get(DeliveryService), ['createContent', 'openGroup', 'handOverQuery', 'dispatchNow']);
    wrap(app.get(DispatchService), ['dispatch']);
    wrap(app.get(BatchSender), ['process', 'open', 'claim', 'groupActive']);
  }
  try {
    const org = await engine.signIn();
    const mailbox = async (email: string, extra = '') =>
      (
        await gql(
          `mutation($e: String!) { connectSenderAccount(input: { provider: SANDBOX, email: $e, dailyCap: 100000 ${extra} }) { id } }`,
          { e: email },
        )
      ).connectSenderAccount.id as string;
    const mailboxes = [await mailbox('a@bench.example.com'), await mailbox('b@bench.example.com')];
    const list = async (name: string) =>
      (await gql(`mutation($n: String!) { createContactList(input: { name: $n }) { id } }`, { n: name }))
        .createContactList.id as string;
    const campaign = async (name: string, listId: string, senders = mailboxes) =>
      (
        await gql(
          `mutation($n: String!, $s: String!, $h: String!, $m: [ID!]!, $l: [ID!]!) { createCampaign(input: { name: $n,
            subject: $s, htmlBody: $h, senderAccountIds: $m, listIds: $l }) { id } }`,
          { n: name, s: SUBJECT, h: HTML, m: senders, l: [listId] },
        )
      ).createCampaign.id as string;
    // Polled in the database over a plain connection of its own, not through the API or the
    // engine's client, so the benchmark costs the engine (almost) nothing.
    await poller.connect();
    const until = async (id: string, status: string) => {
      for (;;) {
        const { rows } = await poller.query<{ status: string }>(
          'SELECT status FROM "Campaign" WHERE id = $1',
          [id],
        );
        if (rows[0]?.status === status) return;
        if (!['SENDING', 'SCHEDULED', 'DRAFT'].includes(rows[0]?.status))
          throw new Error(`campaign ${id} ended ${rows[0]?.status}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    /** Imports n contacts (`<prefix><i>@example.com`) into a list through the CSV import. */
    const importCsv = async (listId: string, prefix: string, n: number) => {
      const csv = [
        'email,first_name,company',
        ...Array.from({ length: n }, (_, i) => `${prefix}${i}@example.com,Name${i},Co${i % 50}`),
      ].join('\n');
      const { importContacts } = await gql(
        `mutation($l: ID!, $csv: String!) { importContacts(input: { listId: $l, csv: $csv }) { accepted } }`,
        { l: listId, csv },
      );
      return importContacts as { accepted: number };
    };

    // 1. CSV import.
    const mainList = await list('Bench');
    let t0 = performance.now();
    const importContacts = await importCsv(mainList, 'c', CONTACTS);
    const importMs = performance.now() - t0;

    // 2. Campaign throughput, then the bare loop over the same contacts and content.
    // BENCH_WARMUP=n: a campaign over n other contacts first, and n untimed renders in the bare loop,
    // so that both are measured warm (the render threads stay up RENDER_THREAD_IDLE_MS after it).
    if (WARMUP) {
      const warmList = await list('Warm-up');
      await importCsv(warmList, 'w', WARMUP);
      const warm = await campaign('Warm-up', warmList);
      const w0 = performance.now();
      await gql(`mutation($id: ID!) { sendCampaign(id: $id) { totalRecipients } }`, { id: warm });
      await until(warm, 'COMPLETED');
      console.log(
        `  warm-up campaign: ${WARMUP} messages in ${((performance.now() - w0) / 1000).toFixed(2)} s`,
      );
    }
    const bench = await campaign('Bench', mainList);
    // What the measured campaign sends is counted from here (a warm-up campaign's messages are not).
    const sentBefore = await prisma.sandboxMessage.count({ where: { organizationId: org } });
    const [{ since }] = await prisma.$queryRaw<
      { since: Date }[]
    >`SELECT clock_timestamp()::timestamp AS since`;
    if (pgStats) await resetPgStats(prisma);
    const [cpu0, pg0, threads0] = [engineCpu(), postgresCpu(), threadCpu()];
    countQueries = true;
    const profiler = process.env.BENCH_CPU_PROFILE ? new Session() : null;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    t0 = performance.now();
    await gql(`mutation($id: ID!) { sendCampaign(id: $id) { totalRecipients } }`, { id: bench });
    await until(bench, 'COMPLETED');
    const sendMs = performance.now() - t0;
    // The measured window on CLOCK_MONOTONIC, for `perf report --time <from>,<to>` (perf record -k mono).
    if (process.env.BENCH_TRACE) {
      const mono = (ms: number) =>
        ((Number(process.hrtime.bigint()) / 1e6 - performance.now() + ms) / 1000).toFixed(3);
      console.log(`  measured window (CLOCK_MONOTONIC, s): ${mono(t0)},${mono(t0 + sendMs)}`);
    }
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(process.env.BENCH_CPU_PROFILE!, JSON.stringify(profile));
      profiler.disconnect();
    }
    const [engineMs, pgMs] = [engineCpu() - cpu0, postgresCpu() - pg0];
    if (process.env.BENCH_TRACE) {
      const threads1 = threadCpu();
      const used = [...threads1]
        .map(([tid, t]) => ({ tid, name: t.name, ms: t.ms - (threads0.get(tid)?.ms ?? 0) }))
        .filter((t) => t.ms >= 20)
        .sort((a, b) => b.ms - a.ms);
      console.log(
        `  engine CPU by thread (ms): ${used.map((t) => `${t.tid === process.pid ? 'main' : t.name} ${Math.round(t.ms)}`).join(', ')}`,
      );
    }
    countQueries = false;
    if (pgStats) await printPgStats(prisma, Number(process.env.BENCH_PG_STATS_TOP ?? 20));
    if (process.env.BENCH_COUNT_QUERIES) {
      for (const [q, n] of [...queryCounts].sort((a, b) => b[1] - a[1]).slice(0, 30))
        console.log(String(n).padStart(7), q);
    }
    const sent = (await prisma.sandboxMessage.count({ where: { organizationId: org } })) - sentBefore;
    if (process.env.BENCH_TRACE) {
      const rows = await prisma.$queryRaw<{ s: number; n: bigint }[]>`
        SELECT floor(extract(epoch FROM "createdAt" - ${since}::timestamp) * 2) / 2 AS s, count(*) AS n
          FROM "SandboxMessage" WHERE "organizationId" = ${org}::uuid AND "createdAt" >= ${since}::timestamp
         GROUP BY 1 ORDER BY 1`;
      console.log(`  sent per half second: ${rows.map((r) => `${Number(r.s)}s ${r.n}`).join(', ')}`);
    }

    const { contentId } = await prisma.outboundMessage.findFirstOrThrow({
      where: { groupId: bench },
      select: { contentId: true },
    });
    const stored = await prisma.messageContent.findUniqueOrThrow({
      where: { id: contentId },
      include: { attachments: true },
    });
    // The bare loop (bench/bare-loop.ts) runs in a process of its own: it is not the engine, and
    // in the engine's process it shared the engine's heap and background work (slower) and what it
    // kept stayed in the engine's RSS measured at the big start.
    const bareTask: BareTask = {
      databaseUrl: config.databaseUrl,
      organizationId: org,
      listId: mainList,
      publicUrl: config.publicUrl,
      secret: config.jwt.secret,
      content: stored,
      warmup: WARMUP,
    };
    const bareApart = (): Promise<BareResult> => {
      const bare = fork(fileURLToPath(new URL('./bare-loop.js', import.meta.url)), {
        serialization: 'advanced',
      });
      const done = new Promise<BareResult>((resolve, reject) => {
        bare.once('message', (r) => resolve(r as BareResult));
        bare.once('exit', (code) => reject(new Error(`the bare loop exited with code ${code}`)));
      });
      bare.send(bareTask);
      return done;
    };
    const { bareMs, bareCpuMs, bareCount } = process.env.BENCH_SKIP_BARE
      ? { bareMs: 0, bareCpuMs: 0, bareCount: 0 }
      : await bareApart();

    // 3. sendCampaign → first provider call.
    const latencies: number[] = [];
    for (let run = 0; run < LATENCY_RUNS; run++) {
      const l = await list(`Latency ${run}`);
      await gql(`mutation($i: AddContactsInput!) { addContacts(input: $i) { added } }`, {
        i: {
          listId: l,
          contacts: Array.from({ length: 10 }, (_, k) => ({ email: `l${run}-${k}@example.com` })),
        },
      });
      const id = await campaign(`Latency ${run}`, l);
      calls.length = 0;
      t0 = performance.now();
      await gql(`mutation($id: ID!) { sendCampaign(id: $id) { totalRecipients } }`, { id });
      if (process.env.BENCH_TRACE) trace.push(['answered', performance.now()]);
      await until(id, 'COMPLETED');
      latencies.push(calls[0] - t0);
      if (process.env.BENCH_TRACE) {
        console.log(
          trace
            .filter(([, at]) => at >= t0 && at <= calls[0])
            .map(([k, at]) => `${k} +${(at - t0).toFixed(0)}`)
            .join(', '),
          `send +${(calls[0] - t0).toFixed(0)}`,
        );
        trace.length = 0;
      }
    }

    const report = (...b: [number, number, number, number, number, number] | []) => {
      const big = b.length
        ? { total: b[0], ms: b[1], rss: b[2], cancelled: b[3], cancelMs: b[4], rssBefore: b[5] }
        : null;
      console.log(
        `\ncampaign-engine benchmark (${os.cpus().length} cores, node ${process.version}, DELIVERY_CONCURRENCY=${config.delivery.concurrency}, batch ${config.delivery.batchSize})`,
      );
      console.log(
        `  CSV import:      ${importContacts.accepted} contacts in ${(importMs / 1000).toFixed(2)} s = ${rate(importContacts.accepted, importMs)} contacts/s`,
      );
      console.log(
        `  Campaign:        ${sent} messages in ${(sendMs / 1000).toFixed(2)} s = ${rate(sent, sendMs)} messages/s`,
      );
      console.log(
        `  Bare loop:       ${bareCount} messages in ${(bareMs / 1000).toFixed(2)} s = ${rate(bareCount, bareMs)} messages/s (render + MIME + hand-off, no database or queue; a process of its own)`,
      );
      console.log(`  Ratio:           ${(rate(sent, sendMs) / rate(bareCount, bareMs)).toFixed(2)}`);
      console.log(
        `  CPU per message: engine ${(engineMs / sent).toFixed(3)} ms + PostgreSQL ${(pgMs / sent).toFixed(3)} ms (campaign); bare loop ${(bareCpuMs / bareCount).toFixed(3)} ms`,
      );
      console.log(
        `  First send:      p50 ${pctl(latencies, 0.5).toFixed(1)} ms, p90 ${pctl(latencies, 0.9).toFixed(1)} ms after sendCampaign (${LATENCY_RUNS} campaigns)`,
      );
      if (big)
        console.log(
          `  Big start:       ${big.total} recipients generated in ${(big.ms / 1000).toFixed(2)} s, engine RSS peak ${Math.round(big.rss / 1024 / 1024)} MB (${Math.round(big.rssBefore / 1024 / 1024)} MB before it)`,
        );
      if (big)
        console.log(
          `  Big cancel:      ${big.cancelled} recipients cancelled in ${(big.cancelMs / 1000).toFixed(2)} s`,
        );
    };
    if (!BIG) return report();
    // 4. A campaign over BIG contacts: recipient generation, then cancel. Its mailbox is outside its
    // sending window, so nothing is sent meanwhile.
    const bigList = await list('Big');
    await prisma.$executeRaw`
      INSERT INTO "Contact" ("organizationId", email, "firstName", "updatedAt")
      SELECT ${org}::uuid, 'big' || g || '@example.com', 'Big' || g, now() FROM generate_series(1, ${BIG}) g`;
    await prisma.$executeRaw`
      INSERT INTO "ContactListMember" ("listId", "contactId")
      SELECT ${bigList}::uuid, id FROM "Contact" WHERE "organizationId" = ${org}::uuid AND email LIKE 'big%'`;
    // The seed's own writing (two million rows, their WAL and hint bits) is flushed before the
    // measured start, so the start does not pay for it.
    await prisma.$executeRaw`VACUUM ANALYZE`;
    await prisma.$executeRaw`CHECKPOINT`;
    const closed = await mailbox(
      'closed@bench.example.com',
      ', windowStartMinute: 0, windowEndMinute: 1, windowDays: [1]',
    );
    await prisma.senderAccount.update({
      where: { id: closed },
      data: { windowDays: [((new Date().getUTCDay() + 2) % 7) + 1] },
    });
    const big = await campaign('Big', bigList, [closed]);
    // What earlier phases left on the heap is collected first (`--expose-gc`, as `npm run bench`
    // runs it); the RSS before the start is reported beside the peak.
    (globalThis as { gc?: () => void }).gc?.();
    const rssBefore = process.memoryUsage().rss;
    if (process.env.BENCH_HEAP_SNAPSHOT)
      (await import('node:v8')).writeHeapSnapshot(process.env.BENCH_HEAP_SNAPSHOT);
    if (process.env.BENCH_TRACE) {
      const m = process.memoryUsage();
      const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;
      console.log(
        `  before the big start: heap ${mb(m.heapUsed)} of ${mb(m.heapTotal)}, external ${mb(m.external)}, render threads ${app.get(Renderer).threadCount}`,
      );
      const smaps = readFileSync('/proc/self/smaps', 'utf8').split('\n');
      const by = new Map<string, number>();
      let name = '';
      for (const line of smaps) {
        const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
        if (head) name = head[1] || '[anon]';
        const rss = /^Rss:\s+(\d+) kB/.exec(line);
        if (rss) by.set(name, (by.get(name) ?? 0) + Number(rss[1]));
      }
      console.log(
        '  RSS by mapping (MB):',
        [...by]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 8)
          .map(([k, v]) => `${k.split('/').pop()} ${Math.round(v / 1024)}`)
          .join(', '),
      );
    }
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    t0 = performance.now();
    const started = await gql(`mutation($id: ID!) { sendCampaign(id: $id) { totalRecipients } }`, {
      id: big,
    });
    const bigMs = performance.now() - t0;
    clearInterval(sampler);
    t0 = performance.now();
    const cancelled = await gql(`mutation($id: ID!) { cancelCampaign(id: $id) { cancelledRecipients } }`, {
      id: big,
    });
    const cancelMs = performance.now() - t0;

    report(
      started.sendCampaign.totalRecipients,
      bigMs,
      peakRss,
      cancelled.cancelCampaign.cancelledRecipients,
      cancelMs,
      rssBefore,
    );
  } finally {
    await poller.end().catch(() => undefined);
    await engine.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
