import { Field, InputType } from '@nestjs/graphql';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsTimeZone } from '../../common/validation/is-time-zone.js';
import { SingleLine } from '../../common/validation/single-line.js';

@InputType({ description: 'A new organization; the caller becomes its OWNER.' })
export class CreateOrganizationInput {
  @Field({ description: 'Display name.' })
  @IsString()
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(120)
  @SingleLine()
  name: string;

  @Field(() => String, { nullable: true, description: 'IANA time zone, e.g. Europe/Paris. Defaults to UTC.' })
  @IsOptional()
  @IsTimeZone()
  timezone?: string;
}

@InputType({ description: 'Changes to the active organization.' })
export class UpdateOrganizationInput {
  @Field(() => String, { nullable: true, description: 'Display name.' })
  @IsOptional()
  @IsString()
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(120)
  @SingleLine()
  name?: string;

  @Field(() => String, { nullable: true, description: 'IANA time zone, e.g. Europe/Paris.' })
  @IsOptional()
  @IsTimeZone()
  timezone?: string;
}
