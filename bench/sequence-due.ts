/**
 * `npm run bench` (second part): the sequence engine's claim loop at scale. BENCH_ENROLLMENTS
 * (default 100,000) enrollments wait on one WAIT step that ends at the same moment; the clock is
 * moved to that moment and one engine process turns them all into sends handed to the delivery
 * pipeline (step executions + outbound messages, committed). Measured: wall time from the due
 * moment until the last hand-over committed, and the rate. The mailboxes are outside their sending
 * window so delivery queues the messages without sending them (sending is measured by the
 * campaign benchmark). One process, embedded PostgreSQL, a local redis-server.
 */
import { Clock } from '../src/common/clock/clock.js';
import { SequenceEngine } from '../src/sequences/engine/sequence-engine.js';
import { printPgStats, resetPgStats, startBenchEngine } from './support.js';

const ENROLLMENTS = Number(process.env.BENCH_ENROLLMENTS ?? 100_000);

class BenchClock extends Clock {
  constructor(private at: number) {
    super();
  }
  now() {
    return new Date(this.at);
  }
  set(at: Date) {
    this.at = at.getTime();
  }
}

async function main() {
  // BENCH_PG_STATS=1: the statements PostgreSQL spent its time on during the due phase.
  const pgStats = !!process.env.BENCH_PG_STATS;
  const start = new Date('2026-06-01T00:00:00Z'); // a Monday
  const clock = new BenchClock(start.getTime());
  // The tick stays out of the way: the measured claim loop is the one this script runs.
  const bench = await startBenchEngine({
    pgStats,
    clock,
    configure: (c) => ({ ...c, runnerTickMs: 3_600_000 }),
  });
  const { app, gql, prisma } = bench;
  const engine = app.get(SequenceEngine);
  try {
    const org = await bench.signIn();
    // Sending window: one minute on Sundays, so delivery holds what it is given.
    const mailbox = async (email: string) =>
      (
        await gql(
          `mutation($e: String!) { connectSenderAccount(input: { provider: SANDBOX, email: $e, dailyCap: 100000,
            windowStartMinute: 0, windowEndMinute: 1, windowDays: [7] }) { id } }`,
          { e: email },
        )
      ).connectSenderAccount.id as string;
    const mailboxes = [await mailbox('a@bench.example.com'), await mailbox('b@bench.example.com')];
    const { createContactList } = await gql(
      `mutation { createContactList(input: { name: "Bench" }) { id } }`,
    );
    const listId = createContactList.id as string;
    await prisma.$executeRaw`
      INSERT INTO "Contact" ("organizationId", email, "firstName", "updatedAt")
      SELECT ${org}::uuid, 's' || g || '@example.com', 'S' || g, now() FROM generate_series(1, ${ENROLLMENTS}) g`;
    await prisma.$executeRaw`
      INSERT INTO "ContactListMember" ("listId", "contactId")
      SELECT ${listId}::uuid, id FROM "Contact" WHERE "organizationId" = ${org}::uuid`;
    const { createSequence } = await gql(
      `mutation($i: CreateSequenceInput!) { createSequence(input: $i) { id } }`,
      {
        i: {
          name: 'Bench',
          senderAccountIds: mailboxes,
          timezone: 'UTC',
          businessDays: [1, 2, 3, 4, 5, 6, 7],
          businessStartMinute: 0,
          businessEndMinute: 1440,
          steps: [
            { key: 'wait', type: 'WAIT', waitAmount: 1, waitUnit: 'HOURS' },
            { key: 'email', type: 'EMAIL', subject: 'Hi {{ contact.firstName }}', htmlBody: '<p>Hello</p>' },
          ],
        },
      },
    );
    const sequenceId = createSequence.id as string;
    await gql(`mutation($id: ID!) { activateSequence(id: $id) { status } }`, { id: sequenceId });
    let t0 = performance.now();
    const { enrollContacts } = await gql(
      `mutation($i: EnrollContactsInput!) { enrollContacts(input: $i) { enrolled } }`,
      { i: { sequenceId, listIds: [listId] } },
    );
    const enrollMs = performance.now() - t0;
    // Entering the WAIT (the engine runs on its own through the wake-up job; this waits for it).
    await engine.runDue();
    const waiting = await prisma.sequenceEnrollment.count({ where: { sequenceId, currentStepKey: 'wait' } });
    await prisma.$executeRaw`VACUUM ANALYZE`;

    if (pgStats) await resetPgStats(prisma);
    clock.set(new Date(start.getTime() + 3_600_000));
    t0 = performance.now();
    const run = await engine.runDue();
    const dueMs = performance.now() - t0;
    const messages = await prisma.outboundMessage.count({ where: { groupId: sequenceId } });
    if (pgStats) await printPgStats(prisma);
    console.log(`\nSequence engine, ${ENROLLMENTS.toLocaleString('en')} enrollments due at one moment`);
    console.log(
      `  Enrolment:       ${enrollContacts.enrolled} enrolled in ${(enrollMs / 1000).toFixed(2)} s (API)`,
    );
    console.log(`  Waiting:         ${waiting} enrollments on the WAIT step, all due at the same moment`);
    console.log(
      `  Due → handed over: ${run.handedOver} sends (${messages} outbound messages) in ${(dueMs / 1000).toFixed(2)} s` +
        ` (${Math.round((run.handedOver / dueMs) * 1000)}/s)`,
    );
  } finally {
    await bench.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
