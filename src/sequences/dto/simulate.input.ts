import { Field, InputType, Int, registerEnumType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsDate,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsTimeZone } from '../../common/validation/is-time-zone.js';

export enum SimulatedEventType {
  OPENED = 'OPENED',
  CLICKED = 'CLICKED',
  REPLIED = 'REPLIED',
  AUTO_REPLIED = 'AUTO_REPLIED',
  BOUNCED = 'BOUNCED',
  UNSUBSCRIBED = 'UNSUBSCRIBED',
}
registerEnumType(SimulatedEventType, {
  name: 'SimulatedEventType',
  description: 'A hypothetical reaction of the contact (AUTO_REPLIED: an out-of-office).',
});

@InputType({ description: 'A hypothetical reaction to one email, some minutes after it goes out.' })
export class SimulatedEventInput {
  @Field(() => SimulatedEventType, { description: 'What the contact does.' })
  @IsEnum(SimulatedEventType)
  type: SimulatedEventType;

  @Field({ description: 'The EMAIL step whose message it reacts to.' })
  @IsString()
  @MaxLength(40)
  stepKey: string;

  @Field(() => Int, { description: 'Minutes after that email goes out (ignored if it never does).' })
  @IsInt()
  @Min(0)
  @Max(525_600)
  afterMinutes: number;
}

@InputType({ description: 'A dry run for one hypothetical contact.' })
export class SimulateSequenceInput {
  @Field(() => String, { nullable: true, description: "The contact's time zone (default: the sequence's)." })
  @IsOptional()
  @IsTimeZone()
  timezone?: string;

  @Field(() => Date, { nullable: true, description: 'When the contact is enrolled (default: now).' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  startAt?: Date;

  @Field(() => Int, {
    nullable: true,
    description: 'The version to run (default: the current one, or the draft).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;

  @Field(() => [SimulatedEventInput], { nullable: true, description: 'What the contact does (at most 50).' })
  @IsOptional()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => SimulatedEventInput)
  events?: SimulatedEventInput[];
}
