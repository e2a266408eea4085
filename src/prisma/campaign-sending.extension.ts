import { Prisma } from '../generated/prisma/client.js';
import { transactionContext } from './transaction-context.js';

/** Domain event emitted once a campaign has become SENDING and the change is committed. */
export const CAMPAIGN_SENDING = 'campaign.sending';
export interface CampaignSendingEvent {
  campaignId: string;
  organizationId: string;
}

type Emit = (event: typeof CAMPAIGN_SENDING, payload: CampaignSendingEvent) => void;
type CampaignReader = {
  campaign: {
    findMany(args: {
      where: Prisma.CampaignWhereInput;
      select: { id: true; organizationId: true };
    }): Promise<{ id: string; organizationId: string }[]>;
  };
};

const SENDING = 'SENDING';
const setsSending = (data: unknown) => {
  const status = (data as { status?: unknown } | undefined)?.status;
  return status === SENDING || (status as { set?: unknown } | undefined)?.set === SENDING;
};

/**
 * "The trigger": a Prisma client extension that watches writes to Campaign.status. When a write
 * turns campaigns that were not SENDING into SENDING, it emits `campaign.sending` for each of them
 * after the surrounding transaction commits (immediately for a write outside a transaction), and
 * never when the transaction rolls back.
 *
 * The campaigns about to change are read just before the write, inside the same transaction when
 * there is one. Two concurrent writers could both see the old status; listeners must therefore be
 * idempotent (a group's dispatch requests merge into one waiting job), and lifecycle writes use
 * compare-and-set.
 */
export function campaignSendingExtension(base: CampaignReader, emit: Emit) {
  const reader = () => (transactionContext.current()?.tx as CampaignReader | undefined) ?? base;
  const notifyAfterCommit = (rows: { id: string; organizationId: string }[]) => {
    if (!rows.length) return;
    transactionContext.afterCommit(() => {
      for (const r of rows) emit(CAMPAIGN_SENDING, { campaignId: r.id, organizationId: r.organizationId });
    });
  };
  const becomingSending = (where: Prisma.CampaignWhereInput | undefined) =>
    reader().campaign.findMany({
      where: { AND: [where ?? {}, { status: { not: SENDING } }] },
      select: { id: true, organizationId: true },
    });

  return Prisma.defineExtension({
    name: 'campaign-sending-trigger',
    query: {
      campaign: {
        async create({ args, query }) {
          const result = await query(args);
          if (setsSending(args.data)) {
            const row = result as { id?: string; organizationId?: string };
            if (row.id && row.organizationId)
              notifyAfterCommit([{ id: row.id, organizationId: row.organizationId }]);
          }
          return result;
        },
        async update({ args, query }) {
          if (!setsSending(args.data)) return query(args);
          const rows = await becomingSending(args.where);
          const result = await query(args);
          notifyAfterCommit(rows);
          return result;
        },
        async updateMany({ args, query }) {
          if (!setsSending(args.data)) return query(args);
          const rows = await becomingSending(args.where);
          const result = await query(args);
          notifyAfterCommit(rows);
          return result;
        },
        async upsert({ args, query }) {
          if (!setsSending(args.update) && !setsSending(args.create)) return query(args);
          const existing = await reader().campaign.findMany({
            where: args.where,
            select: { id: true, organizationId: true },
          });
          const rows = setsSending(args.update) ? await becomingSending(args.where) : [];
          const result = (await query(args)) as { id: string; organizationId: string };
          if (!existing.length && setsSending(args.create)) rows.push(result);
          notifyAfterCommit(rows);
          return result;
        },
      },
    },
  });
}
