import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { OrgContext } from '../auth/auth.types.js';
import { CurrentOrg } from '../auth/decorators.js';
import { connectionComplexity } from '../common/pagination/page-args.js';
import { ContactsService } from './contacts.service.js';
import { AddContactsInput, ImportContactsInput } from './dto/add-contacts.input.js';
import { ContactsArgs } from './dto/recipients.args.js';
import { ContactImportReport } from './models/contact-import.model.js';
import { AddContactsResult } from './models/contact-list.model.js';
import { ContactConnection, ContactModel } from './models/contact.model.js';

@Resolver(() => ContactModel)
export class ContactsResolver {
  constructor(private readonly service: ContactsService) {}

  @Mutation(() => AddContactsResult, {
    description: 'Add up to 5,000 contacts to a list; known addresses are updated with the fields given.',
  })
  addContacts(@CurrentOrg() org: OrgContext, @Args('input') input: AddContactsInput) {
    return this.service.addContacts(org.organizationId, input);
  }

  @Mutation(() => ContactImportReport, {
    description: 'Import a CSV of contacts into a list and report on every row.',
  })
  importContacts(@CurrentOrg() org: OrgContext, @Args('input') input: ImportContactsInput) {
    return this.service.importCsv(org.organizationId, input);
  }

  @Query(() => ContactConnection, {
    description: "The organization's contacts, newest first.",
    complexity: connectionComplexity,
  })
  contacts(@CurrentOrg() org: OrgContext, @Args() args: ContactsArgs) {
    return this.service.page(org.organizationId, args);
  }
}
