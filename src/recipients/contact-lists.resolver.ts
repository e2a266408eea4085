import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { OrgContext } from '../auth/auth.types.js';
import { CurrentOrg } from '../auth/decorators.js';
import { ContactListsService } from './contact-lists.service.js';
import { CreateContactListInput } from './dto/contact-list.input.js';
import { ContactListModel } from './models/contact-list.model.js';

@Resolver(() => ContactListModel)
export class ContactListsResolver {
  constructor(private readonly lists: ContactListsService) {}

  @Mutation(() => ContactListModel, {
    description: 'Create a contact list (name unique in the organization).',
  })
  createContactList(@CurrentOrg() org: OrgContext, @Args('input') input: CreateContactListInput) {
    return this.lists.create(org.organizationId, input);
  }

  @Query(() => [ContactListModel], { description: "The organization's contact lists, by name." })
  contactLists(@CurrentOrg() org: OrgContext) {
    return this.lists.list(org.organizationId);
  }
}
