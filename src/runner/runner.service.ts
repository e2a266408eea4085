import { Injectable } from '@nestjs/common';
import { CampaignLifecycleService, StartRefused } from '../campaigns/campaign-lifecycle.service.js';
import { DomainError, ErrorCode } from '../common/errors/domain-error.js';
import { toDomainError } from '../common/errors/to-graphql-error.js';
import { SYSTEM } from '../common/events/event-log.js';
import type { CampaignStatus } from '../generated/prisma/enums.js';
import { Clock } from '../common/clock/clock.js';
import { PrismaService } from '../prisma/prisma.service.js';

export interface PromotionResult {
  processedCount: number;
  campaigns: {
    campaignId: string;
    organizationId: string;
    name: string;
    previousStatus: CampaignStatus;
    newStatus: CampaignStatus;
    recipientsGenerated: number;
    recipientCount: number;
  }[];
  errors: { campaignId: string; error: string }[];
}

const ACTOR = SYSTEM('runner');

/**
 * Promotes due SCHEDULED campaigns to SENDING. Each start locks its campaign row and re-checks the
 * status, so several runners at once never start a campaign twice: the loser sees CONFLICT and
 * skips it. One campaign's failure never stops the others.
 */
@Injectable()
export class RunnerService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly lifecycle: CampaignLifecycleService,
    private readonly clock: Clock,
  ) {}

  async promoteDue(organizationId?: string): Promise<PromotionResult> {
    const due = await this.prisma.db.campaign.findMany({
      where: {
        status: 'SCHEDULED',
        scheduledAt: { lte: this.clock.now() },
        ...(organizationId ? { organizationId } : {}),
      },
      select: { id: true, organizationId: true, name: true },
      orderBy: { scheduledAt: 'asc' },
      take: 100,
    });
    const result: PromotionResult = { processedCount: 0, campaigns: [], errors: [] };
    for (const c of due) {
      try {
        const started = await this.lifecycle.start(c.organizationId, ACTOR, c.id, true);
        result.campaigns.push({
          campaignId: c.id,
          organizationId: c.organizationId,
          name: c.name,
          previousStatus: 'SCHEDULED',
          newStatus: started.campaign.status,
          recipientsGenerated: started.totalRecipients - started.skippedRecipients,
          recipientCount: started.totalRecipients,
        });
      } catch (e) {
        if (e instanceof DomainError && e.code === ErrorCode.CONFLICT) continue; // another runner started it
        // Refusals carry their reason; anything unexpected is logged and masked.
        const error = e instanceof StartRefused ? e.message : toDomainError(e).message;
        result.errors.push({ campaignId: c.id, error });
      }
    }
    result.processedCount = result.campaigns.length + result.errors.length;
    return result;
  }
}
