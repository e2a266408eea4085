import { Injectable } from '@nestjs/common';
import { isUuid } from '../common/errors/domain-error.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { SequenceAnalyticsModel } from './models/analytics.model.js';
import { sequenceNotFound } from './sequences.errors.js';

const percent = (part: number, whole: number) => (whole ? Math.round((1000 * part) / whole) / 10 : 0);

/**
 * Analytics from sequences' own tables: enrollment counts by status and outcome, and the per-step
 * counters the delivery event handler keeps in the outcome transaction.
 */
@Injectable()
export class SequenceAnalyticsService {
  constructor(private readonly prisma: PrismaService) {}

  async analytics(organizationId: string, sequenceId: string): Promise<SequenceAnalyticsModel> {
    if (!isUuid(sequenceId)) throw sequenceNotFound(sequenceId);
    const sequence = await this.prisma.db.sequence.findFirst({
      where: { id: sequenceId, organizationId },
      select: { id: true },
    });
    if (!sequence) throw sequenceNotFound(sequenceId);
    const [counts] = await this.prisma.db.$queryRaw<Record<string, bigint>[]>`
      SELECT count(*) AS enrolled,
        count(*) FILTER (WHERE status = 'ACTIVE') AS active, count(*) FILTER (WHERE status = 'PAUSED') AS paused,
        count(*) FILTER (WHERE status = 'COMPLETED') AS completed, count(*) FILTER (WHERE status = 'STOPPED') AS stopped,
        count("repliedAt") AS replied, count("bouncedAt") AS bounced, count("unsubscribedAt") AS unsubscribed,
        (SELECT count(DISTINCT x."enrollmentId") FROM "StepExecution" x
         WHERE x."sequenceId" = ${sequenceId}::uuid AND x."sentAt" IS NOT NULL) AS reached
      FROM "SequenceEnrollment" WHERE "sequenceId" = ${sequenceId}::uuid`;
    const n = (k: string) => Number(counts[k] ?? 0);
    const rows = await this.prisma.db.sequenceStepStats.findMany({
      where: { sequenceId },
      include: {
        step: { select: { key: true, type: true, position: true, version: { select: { version: true } } } },
      },
    });
    const steps = rows
      .sort((a, b) => a.step.version.version - b.step.version.version || a.step.position - b.step.position)
      .map(({ step, machineOpened, ...s }) => ({
        ...s,
        version: step.version.version,
        stepKey: step.key,
        type: step.type,
        openedByMachine: machineOpened,
        replyRate: percent(s.replied, s.sent),
      }));
    const sum = (k: 'sent' | 'opened' | 'openedByMachine' | 'clicked') => steps.reduce((t, s) => t + s[k], 0);
    return {
      sequenceId,
      enrolled: n('enrolled'),
      active: n('active'),
      paused: n('paused'),
      completed: n('completed'),
      stopped: n('stopped'),
      replied: n('replied'),
      bounced: n('bounced'),
      unsubscribed: n('unsubscribed'),
      sent: sum('sent'),
      opened: sum('opened'),
      openedByMachine: sum('openedByMachine'),
      clicked: sum('clicked'),
      replyRate: percent(n('replied'), n('reached')),
      steps,
    };
  }
}
