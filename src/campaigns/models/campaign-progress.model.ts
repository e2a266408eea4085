import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { RecipientStatus } from '../../generated/prisma/enums.js';
import { CampaignModel } from './campaign.model.js';

@ObjectType('CampaignStats', { description: 'Recipient counts of a campaign by status and engagement.' })
export class CampaignStatsModel {
  @Field(() => Int, { description: 'All recipients.' }) total: number;
  @Field(() => Int, { description: 'Waiting to be queued.' }) pending: number;
  @Field(() => Int, { description: 'Queued for a worker.' }) queued: number;
  @Field(() => Int, { description: 'Being sent right now.' }) sending: number;
  @Field(() => Int, {
    description: 'Accepted by the provider (including those that bounced later); never decreases.',
  })
  sent: number;
  @Field(() => Int, { description: 'Confirmed delivered.' }) delivered: number;
  @Field(() => Int, { description: 'Failed with a reason.' }) failed: number;
  @Field(() => Int, {
    description: 'Bounced for good (a hard bounce arrived); their addresses are suppressed.',
  })
  bounced: number;
  @Field(() => Int, { description: 'Cancelled before sending.' }) cancelled: number;
  @Field(() => Int, { description: 'Skipped (suppressed address).' }) skipped: number;
  @Field(() => Int, { description: 'Opened at least once by a person.' }) opened: number;
  @Field(() => Int, {
    description:
      'Opened by machines (mail privacy proxies, image proxies, security scanners), whether or not a person did too.',
  })
  openedByMachines: number;
  @Field(() => Int, { description: 'Clicked at least once by a person.' }) clicked: number;
  @Field(() => Int, {
    description:
      'Clicked by machines (link scanners, the invisible honeypot link), whether or not a person did too.',
  })
  clickedByMachines: number;
  @Field(() => Int, { description: 'Replied by a person (automatic replies are events, not counted here).' })
  replied: number;
  @Field(() => Int, { description: 'Unsubscribed through the message.' }) unsubscribed: number;
  @Field(() => Float, { description: 'Share of recipients in a final status, 0 to 100.' }) progress: number;
  @Field(() => Float, { description: 'Sent and not bounced, among those sent or failed, 0 to 100.' })
  deliveryRate: number;
}

@ObjectType('RecipientSummary', { description: 'One recipient of a campaign, as progress shows it.' })
export class RecipientSummaryModel {
  @Field(() => ID, { description: 'Recipient id.' }) id: string;
  @Field({ description: 'Address.' }) email: string;
  @Field(() => RecipientStatus, { description: 'Status.' }) status: RecipientStatus;
  @Field(() => Int, { description: 'Send attempts so far.' }) attempts: number;
  @Field(() => String, { nullable: true, description: 'Last failure reason.' }) lastError: string | null;
  @Field(() => ID, { nullable: true, description: 'Mailbox it is sent from.' }) senderAccountId:
    string | null;
  @Field(() => Date, { nullable: true, description: 'When it was sent.' }) sentAt: Date | null;
  @Field(() => Date, {
    nullable: true,
    description: 'When the recipient first replied (automatic replies excluded).',
  })
  repliedAt: Date | null;
  @Field(() => Date, { nullable: true, description: 'When a hard bounce of the message arrived.' })
  bouncedAt: Date | null;
  @Field({ description: 'Last change.' }) updatedAt: Date;
}

@ObjectType('CampaignEvent', {
  description: 'Something that happened to a campaign or one of its recipients.',
})
export class CampaignEventModel {
  @Field(() => ID, { description: 'Event id.' }) id: string;
  @Field({
    description:
      'Event type, e.g. campaign.paused, recipient.failed, recipient.replied, recipient.auto_replied, recipient.bounced, recipient.soft_bounced.',
  })
  type: string;
  @Field({ description: 'USER, SYSTEM or CONTACT.' }) actorType: string;
  @Field(() => String, { nullable: true, description: 'User id, system job name or contact id.' }) actorId:
    string | null;
  @Field(() => ID, { nullable: true, description: 'The recipient concerned, if any.' }) recipientId:
    string | null;
  @Field({ description: 'Event details as JSON.' }) data: string;
  @Field({ description: 'When it happened.' }) createdAt: Date;
}

@ObjectType('CampaignProgress', { description: 'Live view of a campaign.' })
export class CampaignProgressModel {
  @Field(() => CampaignModel, { description: 'The campaign.' }) campaign: CampaignModel;
  @Field(() => CampaignStatsModel, { description: 'Counts by status.' }) stats: CampaignStatsModel;
  @Field(() => [RecipientSummaryModel], {
    description:
      'The 20 recipients whose state changed last (sending, sent, failed, skipped…); recipients still waiting to be sent are not listed.',
  })
  recentRecipients: RecipientSummaryModel[];
  @Field(() => [CampaignEventModel], { description: 'The 20 latest events.' })
  recentEvents: CampaignEventModel[];
}
