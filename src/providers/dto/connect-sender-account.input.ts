import { Field, InputType, Int } from '@nestjs/graphql';
import { NormalizeEmail } from '../../common/validation/email.js';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsBoolean,
  IsEmail,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsTimeZone } from '../../common/validation/is-time-zone.js';
import { MailProviderType } from '../../generated/prisma/enums.js';
import { SingleLine } from '../../common/validation/single-line.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

@InputType({
  description: 'How to reach an SMTP server. The password is stored encrypted and never returned.',
})
export class SmtpSettingsInput {
  @Field({ description: 'Server host name or IP address, e.g. smtp.example.com.' })
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'host must not be empty' })
  @MaxLength(253)
  host: string;

  @Field(() => Int, { description: 'Server port: 587 (STARTTLS), 465 (TLS) or 25.' })
  @IsInt()
  @Min(1)
  @Max(65535)
  port: number;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'TLS from the first byte (port 465). Defaults to true on port 465; otherwise STARTTLS is used when offered.',
  })
  @IsOptional()
  @IsBoolean()
  secure?: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'Login name; omit for a server without authentication.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  username?: string;

  @Field(() => String, { nullable: true, description: 'Password or app password.' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  password?: string;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Keep connections open between sends (default true); false opens one connection per message.',
  })
  @IsOptional()
  @IsBoolean()
  pool?: boolean;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Send the username and password even when the server offers no TLS (default false: a login then requires TLS or STARTTLS). Only for servers on a network you trust.',
  })
  @IsOptional()
  @IsBoolean()
  allowInsecureAuth?: boolean;
}

@InputType({
  description:
    'A refresh token obtained elsewhere, to connect a GMAIL or MICROSOFT mailbox without the consent page (automation). Stored encrypted and never returned.',
})
export class OAuthTokenInput {
  @Field({
    description: "The OAuth 2.0 refresh token of the mailbox, granted to this server's OAuth client.",
  })
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'refreshToken must not be empty' })
  @MaxLength(4096)
  refreshToken: string;
}

@InputType({ description: 'A mailbox to connect to the active organization (ADMIN).' })
export class ConnectSenderAccountInput {
  @Field(() => MailProviderType, { description: 'The provider the mailbox sends through.' })
  @IsEnum(MailProviderType)
  provider: MailProviderType;

  @Field({ description: 'The mailbox address; the envelope sender of every message.' })
  @NormalizeEmail()
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email: string;

  @Field(() => String, { nullable: true, description: 'Name shown in the From header.' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(120)
  @SingleLine()
  displayName?: string;

  @Field(() => Int, {
    nullable: true,
    description:
      "At most this many sends per day, 1–100000. Default: the provider's limit (Gmail Workspace 2000, consumer Gmail 500, Microsoft 365 10000), else 500.",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100000)
  dailyCap?: number;

  @Field(() => Int, {
    nullable: true,
    description: 'Minimum seconds between two sends, 0–3600. Default: 2 for Gmail and Microsoft 365, else 0.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3600)
  minGapSeconds?: number;

  @Field(() => String, {
    nullable: true,
    description: "IANA time zone of the daily cap and the sending window; defaults to the organization's.",
  })
  @IsOptional()
  @IsTimeZone()
  timezone?: string;

  @Field(() => Int, {
    nullable: true,
    description: 'Sending window start, minutes after midnight (0–1440); give both ends or neither.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1440)
  windowStartMinute?: number;

  @Field(() => Int, {
    nullable: true,
    description: 'Sending window end, minutes after midnight (0–1440), after the start.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1440)
  windowEndMinute?: number;

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

  @Field(() => Boolean, {
    nullable: true,
    description:
      'SMTP cannot be asked whether an unsure send went out: true retries it (a duplicate is possible), false (default) never sends twice.',
  })
  @IsOptional()
  @IsBoolean()
  atLeastOnce?: boolean;

  @Field(() => SmtpSettingsInput, { nullable: true, description: 'Required for SMTP mailboxes.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => SmtpSettingsInput)
  smtp?: SmtpSettingsInput;

  @Field(() => OAuthTokenInput, {
    nullable: true,
    description:
      'Required for GMAIL and MICROSOFT mailboxes connected with a pasted refresh token; the address must be the one the token belongs to.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => OAuthTokenInput)
  oauth?: OAuthTokenInput;
}
