import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { CampaignStatus } from '../../generated/prisma/enums.js';

@ObjectType('AutomationCampaign', { description: 'A campaign the runner acted on.' })
export class AutomationCampaignModel {
  @Field(() => ID, { description: 'Campaign id.' }) campaignId: string;
  @Field(() => ID, { description: 'Its organization.' }) organizationId: string;
  @Field({ description: 'Campaign name.' }) name: string;
  @Field(() => CampaignStatus, { description: 'Status before.' }) previousStatus: CampaignStatus;
  @Field(() => CampaignStatus, { description: 'Status after.' }) newStatus: CampaignStatus;
  @Field(() => Int, { description: 'Recipients generated to send (suppressed ones excluded).' })
  recipientsGenerated: number;
  @Field(() => Int, { description: 'All recipients of the campaign.' }) recipientCount: number;
}

@ObjectType('AutomationError', { description: 'A campaign the runner could not start, and why.' })
export class AutomationErrorModel {
  @Field(() => ID, { description: 'Campaign id.' }) campaignId: string;
  @Field({ description: 'What went wrong.' }) error: string;
}

@ObjectType('AutomationResult', { description: 'What one run of the automation did.' })
export class AutomationResultModel {
  @Field(() => Int, { description: 'Campaigns looked at.' }) processedCount: number;
  @Field(() => [AutomationCampaignModel], { description: 'Campaigns started.' })
  campaigns: AutomationCampaignModel[];
  @Field(() => [AutomationErrorModel], { description: 'Campaigns that could not be started.' })
  errors: AutomationErrorModel[];
}
