import { Module } from '@nestjs/common';
import { ContactListsResolver } from './contact-lists.resolver.js';
import { ContactListsService } from './contact-lists.service.js';
import { ContactsRepository } from './contacts.repository.js';
import { ContactsResolver } from './contacts.resolver.js';
import { ContactsService } from './contacts.service.js';
import { SuppressionsResolver } from './suppressions.resolver.js';
import { SuppressionsService } from './suppressions.service.js';

/** Contacts, contact lists, CSV import and the suppression list. */
@Module({
  providers: [
    ContactListsService,
    ContactListsResolver,
    ContactsRepository,
    ContactsService,
    ContactsResolver,
    SuppressionsService,
    SuppressionsResolver,
  ],
  exports: [SuppressionsService, ContactListsService],
})
export class RecipientsModule {}
