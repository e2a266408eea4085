import { Module } from '@nestjs/common';

/** Contacts, contact lists, CSV import and the suppression list. */
@Module({ providers: [], exports: [] })
export class RecipientsModule {}
