import type { PrismaService, Tx } from '../prisma/prisma.service.js';
import { transactionContext } from '../prisma/transaction-context.js';

/**
 * The client to query with: the caller's `PrismaService.transaction` when one is running, so
 * that e.g. delivery can check and record suppressions atomically with its own writes.
 */
export function clientOf(prisma: PrismaService): Tx {
  return (transactionContext.current()?.tx as Tx | undefined) ?? (prisma.db as unknown as Tx);
}
