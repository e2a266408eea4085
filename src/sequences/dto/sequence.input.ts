import { Field, ID, InputType, Int, PartialType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsBoolean,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsTimeZone } from '../../common/validation/is-time-zone.js';
import { MAX_STEPS } from '../core/graph-validation.js';
import { DurationUnit, SequenceStepType, StepCondition, ThreadMode } from '../models/sequence-enums.js';

@InputType({
  description:
    'One step. The first is where every enrollment starts. EMAIL and WAIT go on to nextStepKey, or to the step listed after them when it is omitted (the sequence ends after the last); CONDITION goes to yesStepKey or noStepKey.',
})
export class SequenceStepInput {
  @Field({ description: 'Names the step across versions (letters, digits, _ or -); moves map these keys.' })
  @IsString()
  @MaxLength(40)
  key: string;

  @Field(() => SequenceStepType, { description: 'What the step does.' })
  @IsEnum(SequenceStepType)
  type: SequenceStepType;

  @Field(() => String, { nullable: true, description: 'EMAIL: subject line (Liquid).' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  subject?: string;

  @Field(() => String, { nullable: true, description: 'EMAIL: HTML body (Liquid; values are HTML-escaped).' })
  @IsOptional()
  @IsString()
  @MaxLength(500_000)
  htmlBody?: string;

  @Field(() => String, {
    nullable: true,
    description: 'EMAIL: plain-text body; derived from the HTML when omitted.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500_000)
  textBody?: string;

  @Field(() => ThreadMode, { nullable: true, description: 'EMAIL: SAME_THREAD (default) or NEW_THREAD.' })
  @IsOptional()
  @IsEnum(ThreadMode)
  threadMode?: ThreadMode;

  @Field(() => Int, { nullable: true, description: 'WAIT: how long, in waitUnit.' })
  @IsOptional()
  @IsInt()
  waitAmount?: number;

  @Field(() => DurationUnit, { nullable: true, description: 'WAIT: the unit of waitAmount.' })
  @IsOptional()
  @IsEnum(DurationUnit)
  waitUnit?: DurationUnit;

  @Field(() => StepCondition, { nullable: true, description: 'CONDITION: what it asks of the last email.' })
  @IsOptional()
  @IsEnum(StepCondition)
  condition?: StepCondition;

  @Field(() => Int, {
    nullable: true,
    description: 'CONDITION: how long to wait for it from reaching the step (0 = decide at once).',
  })
  @IsOptional()
  @IsInt()
  windowAmount?: number;

  @Field(() => DurationUnit, { nullable: true, description: 'CONDITION: the unit of windowAmount.' })
  @IsOptional()
  @IsEnum(DurationUnit)
  windowUnit?: DurationUnit;

  @Field(() => String, { nullable: true, description: 'EMAIL/WAIT: the step after it.' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  nextStepKey?: string;

  @Field(() => String, { nullable: true, description: 'CONDITION: the step when it happened in time.' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  yesStepKey?: string;

  @Field(() => String, {
    nullable: true,
    description: 'CONDITION: the step when the window ends without it.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  noStepKey?: string;
}

@InputType({ description: 'A new sequence, created as DRAFT.' })
export class CreateSequenceInput {
  @Field({ description: 'Internal name; templates see it as {{ sequence.name }}.' })
  @IsString()
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(200)
  name: string;

  @Field(() => [ID], { description: 'Mailboxes to send from (1 to 20); each enrollment keeps one of them.' })
  @ArrayMinSize(1, { message: 'senderAccountIds needs at least one mailbox' })
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'senderAccountIds must be ids' })
  senderAccountIds: string[];

  @Field(() => String, {
    nullable: true,
    description: "Time zone of contacts who have none (default: the organization's).",
  })
  @IsOptional()
  @IsTimeZone()
  timezone?: string;

  @Field(() => [Int], {
    nullable: true,
    description: 'ISO weekdays emails go out on (1 = Monday; default Monday–Friday).',
  })
  @IsOptional()
  @ArrayMinSize(1, { message: 'businessDays needs at least one day' })
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true, message: 'businessDays are ISO weekdays from 1 (Monday) to 7 (Sunday)' })
  @Max(7, { each: true, message: 'businessDays are ISO weekdays from 1 (Monday) to 7 (Sunday)' })
  businessDays?: number[];

  @Field(() => Int, {
    nullable: true,
    description: 'Business hours start, minutes after midnight (default 540 = 09:00).',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1439)
  businessStartMinute?: number;

  @Field(() => Int, {
    nullable: true,
    description: 'Business hours end, minutes after midnight (default 1020 = 17:00).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1440)
  businessEndMinute?: number;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Stop an enrollment when the contact replies (default true).',
  })
  @IsOptional()
  @IsBoolean()
  stopOnReply?: boolean;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Stop on automatic replies (out-of-office, Auto-Submitted) too (default false).',
  })
  @IsOptional()
  @IsBoolean()
  stopOnAutoReply?: boolean;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "Stop every enrollment at the contact's company domain when anyone there replies (default false).",
  })
  @IsOptional()
  @IsBoolean()
  stopOnDomainReply?: boolean;

  @Field(() => Boolean, { nullable: true, description: 'Stop on a hard bounce (default true).' })
  @IsOptional()
  @IsBoolean()
  stopOnBounce?: boolean;

  @Field(() => Boolean, { nullable: true, description: 'Stop when the contact unsubscribes (default true).' })
  @IsOptional()
  @IsBoolean()
  stopOnUnsubscribe?: boolean;

  @Field(() => Boolean, { nullable: true, description: 'Add an open-tracking pixel (default true).' })
  @IsOptional()
  @IsBoolean()
  trackOpens?: boolean;

  @Field(() => Boolean, { nullable: true, description: 'Track link clicks (default false).' })
  @IsOptional()
  @IsBoolean()
  trackClicks?: boolean;

  @Field(() => [SequenceStepInput], { description: `The step graph (1 to ${MAX_STEPS} steps).` })
  @ArrayMinSize(1, { message: 'steps needs at least one step' })
  @ArrayMaxSize(MAX_STEPS)
  @ValidateNested({ each: true })
  @Type(() => SequenceStepInput)
  steps: SequenceStepInput[];
}

@InputType({
  description:
    'Changes to a sequence; omitted fields stay. New steps or tracking publish a new version of an ACTIVE or PAUSED sequence (enrolled contacts keep theirs); the other settings apply at once.',
})
export class UpdateSequenceInput extends PartialType(CreateSequenceInput) {}
