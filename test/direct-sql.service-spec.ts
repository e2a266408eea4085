import pg from 'pg';
import { Prisma } from '../src/generated/prisma/client.js';
import { DirectSql, isStalePreparedStatement, MAX_PREPARED } from '../src/prisma/direct-sql.js';
import { isRetryableDbError, withDbRetry } from '../src/prisma/db-retry.js';
import { createPrismaClient } from '../src/prisma/prisma.service.js';
import { freshDatabase } from './support/test-db.js';

/**
 * The delivery hot path's direct statements must read and write exactly what Prisma does: UTC
 * `timestamp` columns whatever the process's time zone, `date` values that go back to SQL
 * unchanged, bigint counts; a failed transaction leaves nothing behind; errors keep their SQLSTATE
 * so the retry policy still recognises a deadlock.
 */
describe('DirectSql against real PostgreSQL', () => {
  let pool: pg.Pool;
  let sql: DirectSql;
  let prisma: ReturnType<typeof createPrismaClient>;
  let url: string;
  const zone = process.env.TZ;
  /** One connection, so what it has prepared can be read back. */
  const single = () => new pg.Pool({ connectionString: url, max: 1, options: '-c TimeZone=UTC' });
  const prepared = (p: pg.Pool) =>
    p.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements').then((r) => r.rows);

  beforeAll(async () => {
    url = await freshDatabase('direct_sql');
    pool = new pg.Pool({ connectionString: url, max: 3, options: '-c TimeZone=UTC' });
    sql = new DirectSql(pool);
    prisma = createPrismaClient(url, () => undefined, 2);
    await sql.$executeRaw`CREATE TABLE probe (id int PRIMARY KEY, at timestamp, day date, n bigint)`;
  });
  afterAll(async () => {
    process.env.TZ = zone;
    await prisma?.$disconnect();
    await pool?.end();
  });

  it('writes and reads UTC timestamps like Prisma, in a process far from UTC', async () => {
    process.env.TZ = 'Pacific/Kiritimati'; // UTC+14: any local-time slip shows as a different day
    const moment = new Date('2026-03-08T06:59:59.123Z');
    await sql.$executeRaw`INSERT INTO probe VALUES (1, ${moment}, '2026-03-08', 9007199254740993)`;
    const [direct] = await sql.$queryRaw<
      { at: Date; day: string; n: bigint }[]
    >`SELECT * FROM probe WHERE id = 1`;
    const [viaPrisma] = await prisma.$queryRaw<{ at: Date }[]>`SELECT at FROM probe WHERE id = 1`;
    expect(direct.at.toISOString()).toBe(moment.toISOString());
    expect(viaPrisma.at.toISOString()).toBe(moment.toISOString());
    expect(direct.day).toBe('2026-03-08');
    expect(direct.n).toBe(9007199254740993n);
    // A date read back goes into SQL as the same day; arrays of dates as well.
    const [same] = await sql.$queryRaw<{ ok: boolean; first: Date }[]>`
      SELECT ${direct.day}::date = day AS ok, (${[moment, moment]}::timestamp[])[1] AS first FROM probe WHERE id = 1`;
    expect(same.ok).toBe(true);
    expect(same.first.toISOString()).toBe(moment.toISOString());
  });

  it('rolls a failed transaction back and keeps the SQLSTATE for the retry policy', async () => {
    const failing = sql.transaction(async (tx) => {
      await tx.$executeRaw`INSERT INTO probe (id) VALUES (2)`;
      await tx.$executeRaw`INSERT INTO probe (id) VALUES (2)`; // duplicate key
    });
    await expect(failing).rejects.toMatchObject({ code: '23505' });
    expect(await sql.$queryRaw`SELECT id FROM probe WHERE id = 2`).toEqual([]);
    // The connection went back to the pool usable: the next transaction commits.
    await sql.transaction((tx) => tx.$executeRaw`INSERT INTO probe (id) VALUES (2)`);
    expect(await sql.$queryRaw`SELECT id FROM probe WHERE id = 2`).toEqual([{ id: 2 }]);
    // A serialization failure is retryable, a constraint is not.
    const serialization = await sql
      .$queryRaw(Prisma.sql`DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40001'; END $$`)
      .catch((e: unknown) => e);
    expect(isRetryableDbError(serialization)).toBe(true);
    expect(isRetryableDbError(await failing.catch((e: unknown) => e))).toBe(false);
  });

  it('fails a transaction whose statement is refused while it waits on a lock, and the pool stays usable', async () => {
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM probe WHERE id = 1 FOR UPDATE');
      // A lock held elsewhere (a crashed holder, a long cancel): the wait ends with an error.
      const waiting = sql.transaction(async (tx) => {
        await tx.$executeRaw`SET LOCAL lock_timeout = '200ms'`;
        return tx.$queryRaw`SELECT 1 FROM probe WHERE id = 1 FOR UPDATE`;
      });
      await expect(waiting).rejects.toMatchObject({ code: '55P03' });
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    expect(await sql.$queryRaw`SELECT count(*)::int AS n FROM probe`).toEqual([{ n: 2 }]);
  });

  it('prepares a statement once per connection and answers as an unprepared one does', async () => {
    for (const on of [true, false]) {
      const one = single();
      try {
        const direct = new DirectSql(one, { prepared: on });
        const first = await direct.$queryRaw`SELECT id, at FROM probe WHERE id = ${1}`;
        const again = await direct.$queryRaw`SELECT id, at FROM probe WHERE id = ${1}`;
        const inTx = await direct.transaction((tx) => tx.$queryRaw`SELECT id, at FROM probe WHERE id = ${1}`);
        expect(again).toEqual(first);
        expect(inTx).toEqual(first);
        expect((first as { at: Date }[])[0].at).toBeInstanceOf(Date);
        const kept = (await prepared(one)).filter((p) => p.statement.includes('FROM probe WHERE id = $1'));
        expect(kept).toHaveLength(on ? 1 : 0);
      } finally {
        await one.end();
      }
    }
  });

  it('keeps at most MAX_PREPARED statements prepared, however many different texts it runs', async () => {
    const one = single();
    try {
      const direct = new DirectSql(one);
      for (let i = 0; i < MAX_PREPARED + 10; i++) {
        // A text that differs every time (as a spelled-out list would)
        expect(await direct.$queryRaw(Prisma.sql([`SELECT ${i} AS n`]))).toEqual([{ n: i }]);
      }
      expect(await prepared(one)).toHaveLength(MAX_PREPARED);
    } finally {
      await one.end();
    }
  });

  it('recovers a prepared statement that a migration changed under it: one failure, retried on a new connection', async () => {
    const one = single();
    try {
      const direct = new DirectSql(one);
      await direct.$executeRaw`CREATE TABLE shape (a int)`;
      await direct.$executeRaw`INSERT INTO shape VALUES (1)`;
      const read = () => direct.$queryRaw`SELECT * FROM shape`;
      const readInTx = () => direct.transaction((tx) => tx.$queryRaw`SELECT * FROM shape`);
      expect(await read()).toEqual([{ a: 1 }]);
      expect(await readInTx()).toEqual([{ a: 1 }]);

      await one.query('ALTER TABLE shape ADD COLUMN b int');
      const failed = await read().catch((e: unknown) => e);
      expect(isStalePreparedStatement(failed)).toBe(true);
      expect(isRetryableDbError(failed)).toBe(true);
      expect(await read()).toEqual([{ a: 1, b: null }]);

      await one.query('ALTER TABLE shape ADD COLUMN c int');
      const failedInTx = await readInTx().catch((e: unknown) => e);
      expect(isStalePreparedStatement(failedInTx)).toBe(true);
      expect(await readInTx()).toEqual([{ a: 1, b: null, c: null }]);

      // What the hot path does: the retry policy sees it through.
      await one.query('ALTER TABLE shape ADD COLUMN d int');
      expect(await withDbRetry(readInTx)).toEqual([{ a: 1, b: null, c: null, d: null }]);
    } finally {
      await one.end();
    }
  });
});
