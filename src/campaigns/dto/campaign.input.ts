import { Field, ID, InputType, Int, PartialType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsBase64,
  IsBoolean,
  IsEmail,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsDateTime } from '../../common/validation/is-date-time.js';
import { SingleLine } from '../../common/validation/single-line.js';

@InputType({ description: 'A file to send with every message.' })
export class AttachmentInput {
  @Field({ description: 'File name shown to recipients.' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/^[^/\\\r\n]+$/, { message: 'filename must not contain slashes or line breaks' })
  filename: string;

  @Field({ description: 'MIME type, e.g. application/pdf.' })
  @Matches(/^[\w.+-]+\/[\w.+-]+$/, { message: 'contentType must be a MIME type such as application/pdf' })
  contentType: string;

  @Field({ description: 'File content, base64-encoded (at most 10 MB per campaign).' })
  @IsBase64({}, { message: 'contentBase64 must be base64' })
  contentBase64: string;
}

@InputType({ description: 'A new campaign, created as DRAFT.' })
export class CreateCampaignInput {
  @Field({ description: 'Internal name.' })
  @IsString()
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(200)
  @SingleLine()
  name: string;

  @Field({ description: 'Subject line; Liquid template.' })
  @IsString()
  @MinLength(1, { message: 'subject must not be empty' })
  @MaxLength(500)
  subject: string;

  @Field({ description: 'HTML body; Liquid template, e.g. Hi {{ contact.firstName | default: "there" }}.' })
  @IsString()
  @MinLength(1, { message: 'htmlBody must not be empty' })
  @MaxLength(500_000)
  htmlBody: string;

  @Field(() => String, {
    nullable: true,
    description: 'Plain-text body; derived from the HTML when omitted.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500_000)
  textBody?: string;

  @Field(() => String, { nullable: true, description: 'Display name in From (the mailbox address is used).' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  @SingleLine()
  fromName?: string;

  @Field(() => String, { nullable: true, description: 'Reply-To address.' })
  @IsOptional()
  @IsEmail({}, { message: 'replyTo must be an email address' })
  replyTo?: string;

  @Field(() => [ID], { description: 'Mailboxes to send from, round-robin (1 to 20).' })
  @ArrayMinSize(1, { message: 'senderAccountIds needs at least one mailbox' })
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'senderAccountIds must be ids' })
  senderAccountIds: string[];

  @Field(() => [ID], {
    description: 'Contact lists to send to (1 to 50); a contact on several lists gets one email.',
  })
  @ArrayMinSize(1, { message: 'listIds needs at least one list' })
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'listIds must be ids' })
  listIds: string[];

  @Field(() => Date, {
    nullable: true,
    description: 'Start automatically at this time (the campaign becomes SCHEDULED).',
  })
  @IsOptional()
  @IsDateTime()
  scheduledAt?: Date;

  @Field(() => Int, {
    nullable: true,
    description: 'Send at most this many per day; the rest follow in daily batches.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  dailySendLimit?: number;

  @Field(() => Boolean, { nullable: true, description: 'Add an open-tracking pixel (default true).' })
  @IsOptional()
  @IsBoolean()
  trackOpens?: boolean;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Rewrite links of the HTML part to tracked redirects (default false); the plain-text part keeps readable links.',
  })
  @IsOptional()
  @IsBoolean()
  trackClicks?: boolean;

  @Field(() => [AttachmentInput], {
    nullable: true,
    description: 'Files sent with every message (at most 10).',
  })
  @IsOptional()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => AttachmentInput)
  attachments?: AttachmentInput[];
}

@InputType({ description: 'Changes to a DRAFT or SCHEDULED campaign; omitted fields stay as they are.' })
export class UpdateCampaignInput extends PartialType(CreateCampaignInput) {}

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
