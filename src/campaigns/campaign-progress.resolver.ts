import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import type { OrgContext } from '../auth/auth.types.js';
import { CurrentOrg } from '../auth/decorators.js';
import { GuardedSubscription, SubscriptionAccess } from '../auth/subscription-access.js';
import { CampaignProgressService } from './campaign-progress.service.js';
import { CampaignProgressModel } from './models/campaign-progress.model.js';

@Resolver(() => CampaignProgressModel)
export class CampaignProgressResolver {
  constructor(
    private readonly progress: CampaignProgressService,
    private readonly access: SubscriptionAccess,
  ) {}

  @Query(() => CampaignProgressModel, { description: 'Counts, progress and recent activity of a campaign.' })
  campaignProgress(
    @CurrentOrg() org: OrgContext,
    @Args('campaignId', { type: () => ID }) campaignId: string,
  ) {
    return this.progress.snapshot(org.organizationId, campaignId);
  }

  @GuardedSubscription(() => CampaignProgressModel, {
    name: 'campaignProgress',
    description:
      'The campaign progress now, then a few times a second while it changes. Ends with FORBIDDEN when your membership ends.',
  })
  async campaignProgressUpdates(
    @CurrentOrg() org: OrgContext,
    @Args('campaignId', { type: () => ID }) campaignId: string,
  ) {
    await this.progress.snapshot(org.organizationId, campaignId); // NOT_FOUND before subscribing
    return this.access.guard(org, this.progress.stream(org.organizationId, campaignId));
  }
}
