import { Field, ID, ObjectType } from '@nestjs/graphql';
import { GraphQLJSONObject } from '../../common/graphql/json.scalar.js';
import { Paginated } from '../../common/pagination/connection.js';

@ObjectType('Contact', { description: 'A person the organization may email, unique by address.' })
export class ContactModel {
  @Field(() => ID, { description: 'Contact id.' })
  id: string;

  @Field({ description: 'Email address, trimmed and lower-cased.' })
  email: string;

  @Field(() => String, { nullable: true, description: 'First name.' })
  firstName: string | null;

  @Field(() => String, { nullable: true, description: 'Last name.' })
  lastName: string | null;

  @Field(() => String, { nullable: true, description: 'Company.' })
  company: string | null;

  @Field(() => String, { nullable: true, description: "IANA time zone; null means the organization's." })
  timezone: string | null;

  @Field(() => GraphQLJSONObject, {
    description: 'Attributes for personalization ({{ contact.attributes.x }}).',
  })
  attributes: Record<string, unknown>;

  @Field({ description: 'When the contact was first added.' })
  createdAt: Date;

  @Field({ description: 'When the contact was last changed.' })
  updatedAt: Date;
}

@ObjectType('ContactConnection', { description: 'A page of contacts, newest first.' })
export class ContactConnection extends Paginated(ContactModel, 'Contact') {}
