import { Field, ID, InputType } from '@nestjs/graphql';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEmail,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { GraphQLJSONObject } from '../../common/graphql/json.scalar.js';
import { IsTimeZone } from '../../common/validation/is-time-zone.js';
import { attributesProblem, MAX_EMAIL_LENGTH, MAX_TEXT_LENGTH, normalizeEmail } from '../contact-fields.js';

export const MAX_CONTACTS_PER_CALL = 5000;

const toEmail = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? normalizeEmail(value) : value;
const toText = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() || undefined : (value ?? undefined);

@InputType({ description: 'A contact to create, or to update when its address is already known.' })
export class ContactInput {
  @Field({ description: 'Email address; stored trimmed and lower-cased, unique within the organization.' })
  @Transform(toEmail)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(MAX_EMAIL_LENGTH)
  email: string;

  @Field(() => String, { nullable: true, description: 'First name.' })
  @Transform(toText)
  @IsOptional()
  @IsString()
  @MaxLength(MAX_TEXT_LENGTH)
  firstName?: string;

  @Field(() => String, { nullable: true, description: 'Last name.' })
  @Transform(toText)
  @IsOptional()
  @IsString()
  @MaxLength(MAX_TEXT_LENGTH)
  lastName?: string;

  @Field(() => String, { nullable: true, description: 'Company.' })
  @Transform(toText)
  @IsOptional()
  @IsString()
  @MaxLength(MAX_TEXT_LENGTH)
  company?: string;

  @Field(() => String, {
    nullable: true,
    description: "IANA time zone, e.g. Europe/Paris; schedules use it instead of the organization's.",
  })
  @Transform(toText)
  @IsOptional()
  @IsTimeZone()
  timezone?: string;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description:
      'Attributes for personalization ({{ contact.attributes.x }}); merged into the stored ones. At most 16 KB of JSON, nested at most 5 levels.',
  })
  @IsOptional()
  @ValidateBy({
    name: 'contactAttributes',
    validator: {
      validate: (v: unknown) => attributesProblem(v) === null,
      defaultMessage: (args) => attributesProblem(args?.value) ?? 'attributes are not valid',
    },
  })
  attributes?: Record<string, unknown>;
}

@InputType({ description: 'Contacts to add to a list.' })
export class AddContactsInput {
  @Field(() => ID, { description: 'The list to add them to.' })
  @IsUUID('all', { message: 'listId must be a contact list id' })
  listId: string;

  @Field(() => [ContactInput], {
    description: `The contacts, at most ${MAX_CONTACTS_PER_CALL} per call; repeated addresses are merged.`,
  })
  @IsArray()
  @ArrayMinSize(1, { message: 'contacts must not be empty' })
  @ArrayMaxSize(MAX_CONTACTS_PER_CALL, {
    message: `contacts must have at most ${MAX_CONTACTS_PER_CALL} entries; use importContacts for more`,
  })
  @ValidateNested({ each: true })
  @Type(() => ContactInput)
  contacts: ContactInput[];
}

@InputType({ description: 'A CSV file of contacts to add to a list.' })
export class ImportContactsInput {
  @Field(() => ID, { description: 'The list to add the accepted rows to.' })
  @IsUUID('all', { message: 'listId must be a contact list id' })
  listId: string;

  @Field({
    description:
      'CSV text (at most 2 MB, 50,000 rows) with a header row: email (required), first_name, last_name, ' +
      'company, timezone; any other column becomes an attribute.',
  })
  @IsString()
  csv: string;
}
