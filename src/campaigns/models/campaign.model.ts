import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { CampaignStatus, RecipientStatus } from '../../generated/prisma/enums.js';

registerEnumType(CampaignStatus, {
  name: 'CampaignStatus',
  description: 'DRAFT → SCHEDULED → SENDING ⇄ PAUSED → COMPLETED | FAILED | CANCELLED.',
});
registerEnumType(RecipientStatus, {
  name: 'RecipientStatus',
  description: 'Where one recipient of a campaign stands.',
});

@ObjectType('CampaignAttachment', { description: 'A file sent with every message of the campaign.' })
export class CampaignAttachmentModel {
  @Field(() => ID, { description: 'Attachment id.' })
  id: string;
  @Field({ description: 'File name shown to recipients.' })
  filename: string;
  @Field({ description: 'MIME type.' })
  contentType: string;
  @Field(() => Int, { description: 'Size in bytes.' })
  size: number;
}

@ObjectType('CampaignBatch', { description: 'One daily batch of a campaign with a daily send limit.' })
export class CampaignBatchModel {
  @Field(() => Int, { description: 'Batch number, from 1.' })
  batch: number;
  @Field({ description: 'When the batch started.' })
  startedAt: Date;
  @Field(() => Int, { description: 'Messages claimed for sending in this batch.' })
  planned: number;
}

@ObjectType('Campaign', { description: 'One email to every contact of some lists.' })
export class CampaignModel {
  @Field(() => ID, { description: 'Campaign id.' })
  id: string;
  @Field({ description: 'Internal name.' })
  name: string;
  @Field({ description: 'Subject line (Liquid template).' })
  subject: string;
  @Field({ description: 'HTML body (Liquid template; values are HTML-escaped).' })
  htmlBody: string;
  @Field(() => String, { nullable: true, description: 'Plain-text body; derived from the HTML when empty.' })
  textBody: string | null;
  @Field(() => String, { nullable: true, description: 'Display name in From.' })
  fromName: string | null;
  @Field(() => String, { nullable: true, description: 'Reply-To address.' })
  replyTo: string | null;
  @Field({ description: 'Whether a tracking pixel is added.' })
  trackOpens: boolean;
  @Field({ description: 'Whether links of the HTML part are rewritten to tracked redirects.' })
  trackClicks: boolean;
  @Field(() => CampaignStatus, { description: 'Lifecycle status.' })
  status: CampaignStatus;
  @Field(() => Date, { nullable: true, description: 'When a SCHEDULED campaign starts.' })
  scheduledAt: Date | null;
  @Field(() => Date, { nullable: true, description: 'When sending started.' })
  startedAt: Date | null;
  @Field(() => Date, { nullable: true, description: 'When it reached COMPLETED, FAILED or CANCELLED.' })
  completedAt: Date | null;
  @Field(() => Int, { nullable: true, description: 'At most this many sends per day.' })
  dailySendLimit: number | null;
  @Field(() => String, { nullable: true, description: 'Why the campaign failed.' })
  error: string | null;
  @Field(() => Int, { description: 'Recipients generated when it started.' })
  totalRecipients: number;
  @Field(() => [ID], { description: 'Mailboxes it sends from, in round-robin order.' })
  senderAccountIds: string[];
  @Field(() => [ID], { description: 'Contact lists it goes to.' })
  listIds: string[];
  @Field(() => [CampaignAttachmentModel], { description: 'Attached files.' })
  attachments: CampaignAttachmentModel[];
  @Field({ description: 'Created at.' })
  createdAt: Date;
  @Field({ description: 'Last changed at.' })
  updatedAt: Date;
}

@ObjectType('CampaignControlPayload', { description: 'The result of a lifecycle mutation.' })
export class CampaignControlPayload {
  @Field(() => CampaignModel, { description: 'The campaign after the change.' })
  campaign: CampaignModel;
  @Field(() => Int, { nullable: true, description: 'sendCampaign: recipients generated.' })
  totalRecipients?: number;
  @Field(() => Int, {
    nullable: true,
    description: 'sendCampaign: recipients skipped because their address is suppressed.',
  })
  skippedRecipients?: number;
  @Field(() => [String], {
    nullable: true,
    description: 'sendCampaign/resumeCampaign: addresses it sends from.',
  })
  sendingFrom?: string[];
  @Field(() => Int, { nullable: true, description: 'retryFailedRecipients: recipients queued again.' })
  recipientsQueuedForRetry?: number;
  @Field(() => Int, { nullable: true, description: 'cancelCampaign: recipients that will not be sent.' })
  cancelledRecipients?: number;
}
