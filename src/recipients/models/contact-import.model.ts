import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ImportRowStatus } from '../csv-import.js';
import { ContactListModel } from './contact-list.model.js';

registerEnumType(ImportRowStatus, {
  name: 'ImportRowStatus',
  description: 'What an import did with one CSV row.',
  valuesMap: {
    ACCEPTED: { description: 'Saved and added to the list.' },
    DUPLICATE: { description: 'Skipped: the same email was accepted earlier in the file.' },
    REJECTED: { description: 'Skipped: invalid email, time zone or field (see reason).' },
  },
});

@ObjectType('ContactImportRow', { description: 'The outcome of one CSV row.' })
export class ContactImportRow {
  @Field(() => Int, { description: 'Line of the file where the row starts; the header is line 1.' })
  line: number;

  @Field(() => String, { nullable: true, description: 'The normalized email of the row, if it has one.' })
  email: string | null;

  @Field(() => ImportRowStatus, { description: 'What the import did with the row.' })
  status: ImportRowStatus;

  @Field(() => String, { nullable: true, description: 'Why the row was skipped; null when accepted.' })
  reason: string | null;
}

@ObjectType('ContactImportReport', { description: 'The row-by-row outcome of a CSV import.' })
export class ContactImportReport {
  @Field(() => Int, { description: 'Rows saved and added to the list.' })
  accepted: number;

  @Field(() => Int, { description: 'Rows skipped because the same email came earlier in the file.' })
  duplicates: number;

  @Field(() => Int, { description: 'Rows skipped as invalid.' })
  rejected: number;

  @Field(() => Int, { description: 'Accepted contacts new to the organization.' })
  created: number;

  @Field(() => Int, { description: 'Accepted contacts that already existed and were updated.' })
  updated: number;

  @Field(() => Int, { description: 'Accepted contacts that joined the list with this import.' })
  added: number;

  @Field(() => Int, { description: 'Accepted contacts that were already in the list.' })
  alreadyInList: number;

  @Field(() => ContactListModel, { description: 'The list after the import.' })
  list: ContactListModel;

  @Field(() => [ContactImportRow], { description: 'Every data row of the file, in file order.' })
  rows: ContactImportRow[];
}
