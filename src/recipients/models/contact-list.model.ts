import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('ContactList', { description: 'A named set of contacts that campaigns and sequences target.' })
export class ContactListModel {
  @Field(() => ID, { description: 'Contact list id.' })
  id: string;

  @Field({ description: 'Name, unique within the organization.' })
  name: string;

  @Field(() => String, { nullable: true, description: 'What the list is for.' })
  description: string | null;

  @Field(() => Int, { description: 'How many contacts the list holds.' })
  contactCount: number;

  @Field({ description: 'When the list was created.' })
  createdAt: Date;
}

@ObjectType('AddContactsResult', {
  description: 'What adding contacts did: created + updated = added + alreadyInList = distinct addresses.',
})
export class AddContactsResult {
  @Field(() => Int, { description: 'Contacts that joined the list with this call.' })
  added: number;

  @Field(() => Int, {
    description: 'Contacts that were already in the list (their fields are still updated).',
  })
  alreadyInList: number;

  @Field(() => Int, { description: 'Addresses new to the organization, created as contacts.' })
  created: number;

  @Field(() => Int, { description: 'Contacts that already existed; their given fields were updated.' })
  updated: number;

  @Field(() => ContactListModel, { description: 'The list after the change.' })
  list: ContactListModel;
}
