import { ArgsType, Field, InputType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsEmail, IsEnum, IsOptional, IsString, MaxLength } from 'class-validator';
import { SuppressionReason } from '../models/suppression.model.js';
import { MAX_EMAIL_LENGTH, normalizeEmail } from '../contact-fields.js';

const toEmail = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? normalizeEmail(value) : value;

@InputType({ description: 'An address that must never be sent to.' })
export class AddSuppressionInput {
  @Field({ description: 'Email address; stored trimmed and lower-cased.' })
  @Transform(toEmail)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(MAX_EMAIL_LENGTH)
  email: string;

  @Field(() => SuppressionReason, { nullable: true, description: 'Why; MANUAL when not given.' })
  @IsOptional()
  @IsEnum(SuppressionReason)
  reason?: SuppressionReason;

  @Field(() => String, { nullable: true, description: 'A note for your team.' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string;
}

@ArgsType()
export class RemoveSuppressionArgs {
  @Field({ description: 'The suppressed address (matched trimmed and lower-cased).' })
  @Transform(toEmail)
  @IsString()
  @MaxLength(MAX_EMAIL_LENGTH)
  email: string;
}
