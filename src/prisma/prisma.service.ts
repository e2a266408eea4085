import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, Prisma } from '../generated/prisma/client.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { ResolvedConfig } from '../config/config.js';
import { campaignSendingExtension } from './campaign-sending.extension.js';
import { transactionContext, type TransactionContext } from './transaction-context.js';

export function createPrismaClient(databaseUrl: string, emit: (event: string, payload: unknown) => void) {
  const base = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 20 }) });
  return base.$extends(campaignSendingExtension(base, emit));
}

export type Db = ReturnType<typeof createPrismaClient>;
/** The client handed to code running inside `PrismaService.transaction`. */
export type Tx = Prisma.TransactionClient;

/**
 * The one database client of the process, with the campaign-status trigger installed.
 * Use `transaction()` for multi-statement work: it runs after-commit hooks (domain events)
 * only when the transaction commits.
 */
@Injectable()
export class PrismaService implements OnModuleDestroy {
  private readonly logger = new Logger(PrismaService.name);
  readonly db: Db;

  constructor(@Inject(APP_CONFIG) config: ResolvedConfig, events: EventEmitter2) {
    this.db = createPrismaClient(config.databaseUrl, (event, payload) => {
      events
        .emitAsync(event, payload)
        .catch((e: unknown) => this.logger.error(`listener of ${event} failed`, e));
    });
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

  async onModuleDestroy() {
    await this.db.$disconnect();
  }
}
