import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { OrgContext } from '../auth/auth.types.js';
import { CurrentOrg } from '../auth/decorators.js';
import type { Actor } from '../common/events/event-log.js';
import { connectionComplexity } from '../common/pagination/page-args.js';
import { CampaignLifecycleService } from './campaign-lifecycle.service.js';
import { CampaignsService } from './campaigns.service.js';
import { CampaignsArgs, ScheduleCampaignArgs } from './dto/campaign.args.js';
import { CreateCampaignInput, UpdateCampaignInput } from './dto/campaign.input.js';
import { CampaignConnection } from './models/campaign-connection.model.js';
import { CampaignControlPayload, CampaignModel } from './models/campaign.model.js';

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

  @Mutation(() => CampaignControlPayload, {
    description: 'Cancel: recipients not yet sent become CANCELLED.',
  })
  cancelCampaign(@CurrentOrg() org: OrgContext, @idArg() id: string) {
    return this.lifecycle.cancel(org.organizationId, userActor(org), id);
  }
}
