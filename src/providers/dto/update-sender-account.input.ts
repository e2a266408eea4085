import { Field, InputType, Int } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsTimeZone } from '../../common/validation/is-time-zone.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Only the fields given change; null clears a nullable one (display name, sending window). */
@InputType({ description: "Changes to a connected mailbox's name and sending limits (ADMIN)." })
export class UpdateSenderAccountInput {
  @Field(() => String, { nullable: true, description: 'Name shown in the From header; null removes it.' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(120)
  displayName?: string | null;

  @Field(() => Int, { nullable: true, description: 'At most this many sends per day, 1–100000.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100000)
  dailyCap?: number;

  @Field(() => Int, { nullable: true, description: 'Minimum seconds between two sends, 0–3600.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3600)
  minGapSeconds?: number;

  @Field(() => String, {
    nullable: true,
    description: 'IANA time zone of the daily cap and the sending window.',
  })
  @IsOptional()
  @IsTimeZone()
  timezone?: string;

  @Field(() => Int, {
    nullable: true,
    description: 'Sending window start, minutes after midnight (0–1440); null (with the end) = all day.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1440)
  windowStartMinute?: number | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Sending window end, minutes after midnight (0–1440), after the start; null (with the start) = all day.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1440)
  windowEndMinute?: number | null;

  @Field(() => [Int], {
    nullable: true,
    description: 'ISO weekdays (1 = Monday … 7) to send on; empty = every day.',
  })
  @IsOptional()
  @ArrayMaxSize(7)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true, message: 'windowDays must be ISO weekdays from 1 (Monday) to 7 (Sunday)' })
  @Max(7, { each: true, message: 'windowDays must be ISO weekdays from 1 (Monday) to 7 (Sunday)' })
  windowDays?: number[];
}
