import type { Tx } from '../../prisma/prisma.service.js';

export const STAT_COLUMNS = [
  'entered',
  'handedOver',
  'sent',
  'failed',
  'opened',
  'machineOpened',
  'clicked',
  'replied',
  'autoReplied',
  'bounced',
  'unsubscribed',
  'yes',
  'no',
] as const;
export type StatColumn = (typeof STAT_COLUMNS)[number];

/** Counter increments per step, collected over a batch and written once per step. */
export class StatDeltas {
  private readonly byStep = new Map<string, Record<StatColumn, number>>();

  add(stepId: string, column: StatColumn, n = 1) {
    let row = this.byStep.get(stepId);
    if (!row) {
      row = Object.fromEntries(STAT_COLUMNS.map((c) => [c, 0])) as Record<StatColumn, number>;
      this.byStep.set(stepId, row);
    }
    row[column] += n;
  }

  /**
   * One UPDATE for every step touched, in step id order: concurrent batches (engine, delivery
   * events) lock the counter rows in the same order and cannot deadlock on them.
   */
  async write(tx: Tx) {
    if (!this.byStep.size) return;
    const ids = [...this.byStep.keys()].sort();
    const col = (c: StatColumn) => ids.map((id) => this.byStep.get(id)![c]);
    await tx.$executeRaw`
      UPDATE "SequenceStepStats" s SET
        entered = s.entered + u.entered, "handedOver" = s."handedOver" + u.handed_over, sent = s.sent + u.sent,
        failed = s.failed + u.failed, opened = s.opened + u.opened, "machineOpened" = s."machineOpened" + u.machine_opened,
        clicked = s.clicked + u.clicked, replied = s.replied + u.replied, "autoReplied" = s."autoReplied" + u.auto_replied,
        bounced = s.bounced + u.bounced, unsubscribed = s.unsubscribed + u.unsubscribed, yes = s.yes + u.yes, no = s.no + u.no
      FROM unnest(${ids}::uuid[], ${col('entered')}::int[], ${col('handedOver')}::int[], ${col('sent')}::int[],
                  ${col('failed')}::int[], ${col('opened')}::int[], ${col('machineOpened')}::int[], ${col('clicked')}::int[],
                  ${col('replied')}::int[], ${col('autoReplied')}::int[], ${col('bounced')}::int[],
                  ${col('unsubscribed')}::int[], ${col('yes')}::int[], ${col('no')}::int[])
        AS u(step_id, entered, handed_over, sent, failed, opened, machine_opened, clicked, replied, auto_replied,
             bounced, unsubscribed, yes, no)
      WHERE s."stepId" = u.step_id`;
  }
}
