import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient, Prisma } from '../generated/prisma/client.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { ResolvedConfig } from '../config/config.js';
import { campaignSendingExtension } from './campaign-sending.extension.js';
import { DirectSql } from './direct-sql.js';
import { transactionContext, type TransactionContext } from './transaction-context.js';

export function createPrismaClient(
  databaseUrl: string,
  emit: (event: string, payload: unknown) => void,
  poolSize = 20,
) {
  return createClients(databaseUrl, emit, poolSize, true).db;
}

/** The Prisma client and the direct statements of the hot path, on one pool. */
function createClients(
  databaseUrl: string,
  emit: (event: string, payload: unknown) => void,
  poolSize: number,
  prepared: boolean,
) {
  // Timestamps are stored as UTC in `timestamp` columns: the session time zone must be UTC too, so
  // comparisons with timestamptz values and now() never shift by the server's zone.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize, options: '-c TimeZone=UTC' });
  // An idle connection lost (the server restarted) is reported by the next statement that needs one.
  pool.on('error', () => undefined);
  const base = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  return { db: base.$extends(campaignSendingExtension(base, emit)), sql: new DirectSql(pool, { prepared }) };
}

export type Db = ReturnType<typeof createPrismaClient>;
/** The client handed to code running inside `PrismaService.transaction`. */
export type Tx = Prisma.TransactionClient;

/**
 * Connections this process needs: one per concurrent send job (each holds at most one at a time),
 * the dispatcher and recorder, the API's requests and the runner, with headroom.
 */
export function poolSizeFor(config: ResolvedConfig) {
  // Worker and scheduler processes also run the sequence engine's claim loops (3 side by side).
  const sequenceClaims = 3;
  const workers =
    config.role === 'all' || config.role === 'worker' ? config.delivery.concurrency + 4 + sequenceClaims : 0;
  const api = config.role === 'all' || config.role === 'api' ? 10 : 0;
  const scheduler = config.role === 'all' || config.role === 'scheduler' ? 3 + sequenceClaims : 0;
  return Math.min(100, workers + api + scheduler + 2);
}

/**
 * The one database client of the process, with the campaign-status trigger installed.
 * Use `transaction()` for multi-statement work: it runs after-commit hooks (domain events)
 * only when the transaction commits.
 */
@Injectable()
export class PrismaService implements OnApplicationShutdown {
  private readonly logger = new Logger(PrismaService.name);
  readonly db: Db;
  /** Raw statements without Prisma's per-statement cost, for the delivery hot path (same pool). */
  readonly sql: DirectSql;

  constructor(@Inject(APP_CONFIG) config: ResolvedConfig, events: EventEmitter2) {
    ({ db: this.db, sql: this.sql } = createClients(
      config.databaseUrl,
      (event, payload) => {
        events
          .emitAsync(event, payload)
          .catch((e: unknown) => this.logger.error(`listener of ${event} failed`, e));
      },
      poolSizeFor(config),
      config.databasePreparedStatements,
    ));
  }

  /** Runs `fn` in one interactive transaction; its after-commit hooks run once it has committed. */
  async transaction<T>(
    fn: (tx: Tx) => Promise<T>,
    options?: { isolationLevel?: Prisma.TransactionIsolationLevel; timeout?: number },
  ): Promise<T> {
    const outer = transactionContext.current();
    if (outer) return fn(outer.tx as Tx); // nested: join the outer transaction
    const ctx: TransactionContext = { tx: undefined, afterCommit: [], open: true };
    let result: T;
    try {
      result = await this.db.$transaction(
        (tx) => {
          ctx.tx = tx;
          return transactionContext.run(ctx, () => fn(tx as unknown as Tx));
        },
        { timeout: options?.timeout ?? 15000, maxWait: 10000, isolationLevel: options?.isolationLevel },
      );
    } finally {
      ctx.open = false;
    }
    for (const hook of ctx.afterCommit) hook();
    return result;
  }

  /** Last of all: queues close (finishing their jobs) and leases end before the connections go. */
  async onApplicationShutdown() {
    await this.db.$disconnect();
  }
}
