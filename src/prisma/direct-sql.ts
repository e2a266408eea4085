import pg from 'pg';
import { Prisma } from '../generated/prisma/client.js';

/**
 * The raw-statement half of a Prisma client: what hot-path code needs, so the same function runs
 * on a Prisma transaction or on `DirectSql`.
 */
export interface RawSql {
  $queryRaw<T = unknown>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<T>;
  $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<number>;
}

/**
 * Results as Prisma's raw queries give them, whatever the process's time zone: `timestamp` columns
 * hold UTC, `date` columns stay 'YYYY-MM-DD' (only ever passed back to SQL), int8 is a bigint.
 */
const PARSERS: Record<number, (value: string) => unknown> = {
  [pg.types.builtins.TIMESTAMP]: (v) => new Date(`${v.replace(' ', 'T')}Z`),
  [pg.types.builtins.DATE]: (v) => v,
  [pg.types.builtins.INT8]: (v) => BigInt(v),
};
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    PARSERS[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Parameters as Prisma sends them: a Date is its UTC moment (the columns are UTC `timestamp`). */
function param(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(param);
  return value;
}

/** Longest a hot-path transaction may wait on a statement (a lock held elsewhere) before failing. */
const STATEMENT_TIMEOUT = '15s';

/**
 * Distinct statements a process prepares, at most. The hot path has about twenty, each the same text
 * every time; a statement whose text varies (a list spelled out) takes a name only while names are
 * left, so what each connection keeps prepared stays bounded.
 */
export const MAX_PREPARED = 64;

/**
 * Names statements by their text, so each connection parses and plans one once and then only binds
 * and executes it (PostgreSQL plans it anew while its custom plans beat the generic one). Off, or
 * once MAX_PREPARED texts have names, statements go unnamed as before.
 */
class StatementNames {
  private readonly names = new Map<string, string>();

  constructor(private readonly enabled: boolean) {}

  of(text: string): string | undefined {
    if (!this.enabled) return undefined;
    let name = this.names.get(text);
    if (name === undefined && this.names.size < MAX_PREPARED)
      this.names.set(text, (name = `ce_${this.names.size}`));
    return name;
  }
}

/**
 * A prepared statement that no longer fits the table under it (a migration changed what it returns
 * while this process ran): its connection must go, a new one prepares it afresh (`isRetryableDbError`
 * knows the message). A name a pooler lost (transaction pooling) is the same kind of failure.
 */
export const isStalePreparedStatement = (e: unknown) => {
  const code = (e as { code?: unknown } | null)?.code;
  return (
    code === '26000' ||
    (code === '0A000' && /cached plan must not change result type/.test((e as Error).message))
  );
};

function bind(run: (text: string, values: unknown[]) => Promise<pg.QueryResult>): RawSql {
  const build = (query: TemplateStringsArray | Prisma.Sql, values: unknown[]) => {
    const sql = query instanceof Prisma.Sql ? query : Prisma.sql(query, ...values);
    return run(sql.text, sql.values.map(param));
  };
  return {
    $queryRaw: async <T>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) =>
      (await build(query, values)).rows as T,
    $executeRaw: async (query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) =>
      (await build(query, values)).rowCount ?? 0,
  };
}

/**
 * Raw statements straight on the pg pool that the Prisma client also uses (same connections, same
 * UTC session). Prisma's own per-statement cost (query building, its interpreter, result mapping)
 * is most of the engine's CPU on the delivery hot path, and a statement inside a Prisma interactive
 * transaction costs about a millisecond more than one sent directly: the send and dispatch paths
 * use this; everything else keeps Prisma. Errors are pg's (SQLSTATE in `code`), which
 * `withDbRetry` understands.
 */
export class DirectSql implements RawSql {
  private readonly direct: RawSql;
  private readonly names: StatementNames;

  /** `prepared`: name (prepare) statements; off behind a pooler that cannot keep them (DATABASE_PREPARED_STATEMENTS). */
  constructor(
    private readonly pool: pg.Pool,
    { prepared = true }: { prepared?: boolean } = {},
  ) {
    this.names = new StatementNames(prepared);
    // A failed pool.query gives its connection up (pg-pool), so a stale statement goes with it.
    this.direct = bind((text, values) => pool.query({ text, values, types, name: this.names.of(text) }));
  }

  $queryRaw<T = unknown>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<T> {
    return this.direct.$queryRaw<T>(query, ...values);
  }

  $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<number> {
    return this.direct.$executeRaw(query, ...values);
  }

  /** One transaction on one connection; rolled back when `fn` throws. No after-commit hooks. */
  async transaction<T>(fn: (tx: RawSql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(`BEGIN; SET LOCAL statement_timeout = '${STATEMENT_TIMEOUT}'`);
      const result = await fn(
        bind((text, values) => client.query({ text, values, types, name: this.names.of(text) })),
      );
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch((err: unknown) => {
        broken = err instanceof Error ? err : new Error(String(err)); // the connection is unusable
      });
      if (isStalePreparedStatement(e)) broken ??= e as Error;
      throw e;
    } finally {
      client.release(broken);
    }
  }
}
