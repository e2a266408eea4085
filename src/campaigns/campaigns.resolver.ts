import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { OrgContext } from '../auth/auth.types.js';
import { CurrentOrg } from '../auth/decorators.js';
import type { Actor } from '../common/events/event-log.js';
import { connectionComplexity } from '../common/pagination/page-args.js';
import { CampaignLifecycleService } from './campaign-lifecycle.service.js';
import { CampaignsService } from './campaigns.service.js';
import { CampaignsArgs, ScheduleCampaignArgs } from './dto/campaign.args.js';
import { CreateCampaignInput, UpdateCampaignInput } from './dto/campaign.input.js';
import { CampaignConnection } from './models/campaign-connection.model.js';
import { CampaignBatchModel, CampaignControlPayload, CampaignModel } from './models/campaign.model.js';

const userActor = (org: OrgContext): Actor => ({ type: 'USER', id: org.userId });
const idArg = () => Args('id', { type: () => ID, description: 'Campaign id.' });

@Resolver(() => CampaignModel)
export class CampaignsResolver {
  constructor(
    private readonly service: CampaignsService,
    private readonly lifecycle: CampaignLifecycleService,
  ) {}

  @Mutation(() => CampaignModel, {
    description: 'Create a campaign (DRAFT, or SCHEDULED when scheduledAt is given).',
  })
  createCampaign(@CurrentOrg() org: OrgContext, @Args('input') input: CreateCampaignInput) {
    return this.service.create(org.organizationId, userActor(org), input);
  }

  @Mutation(() => CampaignModel, { description: 'Change a DRAFT or SCHEDULED campaign.' })
  updateCampaign(
    @CurrentOrg() org: OrgContext,
    @idArg() id: string,
    @Args('input') input: UpdateCampaignInput,
  ) {
    return this.service.update(org.organizationId, userActor(org), id, input);
  }

  @Query(() => CampaignModel, { description: 'One campaign.' })
  campaign(@CurrentOrg() org: OrgContext, @idArg() id: string) {
    return this.service.get(org.organizationId, id);
  }

  @Query(() => CampaignConnection, {
    description: 'Campaigns, newest first.',
    complexity: connectionComplexity,
  })
  campaigns(@CurrentOrg() org: OrgContext, @Args() args: CampaignsArgs) {
    return this.service.list(org.organizationId, args, args.status);
  }

  @Mutation(() => CampaignControlPayload, {
    description: 'Start the campaign at scheduledAt (DRAFT or SCHEDULED).',
  })
  scheduleCampaign(@CurrentOrg() org: OrgContext, @Args() { id, scheduledAt }: ScheduleCampaignArgs) {
    return this.lifecycle.schedule(org.organizationId, userActor(org), id, scheduledAt);
  }

  @Mutation(() => CampaignControlPayload, {
    description: 'Start sending now: recipients are generated and delivery begins.',
  })
  sendCampaign(@CurrentOrg() org: OrgContext, @idArg() id: string) {
    return this.lifecycle.start(org.organizationId, userActor(org), id);
  }

  @Mutation(() => CampaignControlPayload, {
    description: 'Pause sending; once this returns no new send starts.',
  })
  pauseCampaign(@CurrentOrg() org: OrgContext, @idArg() id: string) {
    return this.lifecycle.pause(org.organizationId, userActor(org), id);
  }

  @Mutation(() => CampaignControlPayload, { description: 'Resume a paused campaign.' })
  resumeCampaign(@CurrentOrg() org: OrgContext, @idArg() id: string) {
    return this.lifecycle.resume(org.organizationId, userActor(org), id);
  }

  @Mutation(() => CampaignControlPayload, { description: 'Send the FAILED recipients again.' })
  retryFailedRecipients(@CurrentOrg() org: OrgContext, @idArg() id: string) {
    return this.lifecycle.retryFailed(org.organizationId, userActor(org), id);
  }

  @ResolveField(() => [CampaignBatchModel], {
    description: 'Daily batches so far (with a daily send limit).',
  })
  async batchHistory(@Parent() campaign: CampaignModel) {
    return (await this.service.deliveryState(campaign.id)).batchHistory;
  }

  @ResolveField(() => Date, { nullable: true, description: 'When the next daily batch starts.' })
  async nextBatchAt(@Parent() campaign: CampaignModel) {
    return (await this.service.deliveryState(campaign.id)).nextBatchAt;
  }

  @ResolveField(() => String, {
    nullable: true,
    description:
      'While SENDING: what its waiting recipients wait for (a mailbox to reconnect, a provider quota to pass); null when nothing blocks it.',
  })
  waitingFor(@Parent() campaign: CampaignModel) {
    return this.service.waitingFor(campaign.id, campaign.status);
  }

  @Mutation(() => CampaignControlPayload, {
    description: 'Cancel: recipients not yet sent become CANCELLED.',
  })
  cancelCampaign(@CurrentOrg() org: OrgContext, @idArg() id: string) {
    return this.lifecycle.cancel(org.organizationId, userActor(org), id);
  }
}
