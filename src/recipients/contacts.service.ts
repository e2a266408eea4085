import { Injectable, Logger } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import { ContactListsService, listNotFound } from './contact-lists.service.js';
import { cleanText, mergeByEmail, type ContactFields } from './contact-fields.js';
import { ContactsRepository } from './contacts.repository.js';
import { classifyContactsCsv, ImportRowStatus } from './csv-import.js';
import type { AddContactsInput, ContactInput, ImportContactsInput } from './dto/add-contacts.input.js';
import type { ContactsArgs } from './dto/recipients.args.js';

/** Rows written by one import from which the planner's statistics are refreshed right after it. */
const BULK = 1000;

const toFields = (c: ContactInput): ContactFields => ({
  email: c.email,
  firstName: cleanText(c.firstName),
  lastName: cleanText(c.lastName),
  company: cleanText(c.company),
  timezone: cleanText(c.timezone),
  attributes: c.attributes ?? {},
});

/** Contacts: adding them to lists by hand or from CSV, and browsing them. */
@Injectable()
export class ContactsService {
  private readonly logger = new Logger(ContactsService.name);
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;

  constructor(
    private readonly prisma: PrismaService,
    private readonly repo: ContactsRepository,
    private readonly lists: ContactListsService,
  ) {}

  /**
   * Upserts the contacts by address and adds them to the list, all or nothing.
   * NOT_FOUND when the list is not the organization's (and then nothing changes).
   */
  async addContacts(organizationId: string, input: AddContactsInput) {
    const counts = await this.save(organizationId, input.listId, mergeByEmail(input.contacts.map(toFields)));
    return { ...counts, list: await this.lists.get(organizationId, input.listId) };
  }

  /**
   * Classifies every CSV row, then saves the accepted ones like addContacts, in one transaction.
   * BAD_USER_INPUT on `csv` when the file is unusable as a whole (no header, too big, malformed).
   */
  async importCsv(organizationId: string, input: ImportContactsInput) {
    await this.lists.get(organizationId, input.listId);
    const { rows, accepted } = classifyContactsCsv(input.csv);
    const counts = await this.save(organizationId, input.listId, accepted);
    const count = (status: ImportRowStatus) => rows.filter((r) => r.status === status).length;
    return {
      accepted: accepted.length,
      duplicates: count(ImportRowStatus.DUPLICATE),
      rejected: count(ImportRowStatus.REJECTED),
      ...counts,
      list: await this.lists.get(organizationId, input.listId),
      rows,
    };
  }

  /** A page of the organization's contacts, newest first, optionally of one list or matching a search. */
  async page(organizationId: string, args: ContactsArgs) {
    if (args.listId) await this.lists.get(organizationId, args.listId);
    return this.repo.page(organizationId, { listId: args.listId, search: args.search || undefined }, args);
  }

  private async save(organizationId: string, listId: string, contacts: ContactFields[]) {
    const counts = await this.prisma.transaction(
      async () => {
        if (!(await this.repo.lockList(organizationId, listId))) throw listNotFound(listId);
        const saved = await this.repo.upsert(organizationId, contacts);
        const added = await this.repo.addToList(
          organizationId,
          listId,
          saved.map((s) => s.id),
        );
        const created = saved.filter((s) => s.inserted).length;
        return { created, updated: saved.length - created, added, alreadyInList: saved.length - added };
      },
      { timeout: 120_000 },
    );
    if (counts.created + counts.added >= BULK) this.refreshStatistics();
    return counts;
  }

  /**
   * After a bulk import the planner's statistics still describe the smaller tables until
   * autovacuum's next visit (a minute or more): a campaign started right away would be planned as
   * if the organization had a few contacts and hash all of them to find a small list's members.
   * So a bulk import refreshes them itself, in the background, one refresh at a time (an import
   * that ends during a refresh gets one more after it, which sees its rows).
   */
  private refreshStatistics() {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = this.repo
      .refreshStatistics()
      .catch((e: unknown) => this.logger.warn(`statistics not refreshed after an import: ${String(e)}`))
      .finally(() => {
        this.refreshing = null;
        if (this.refreshAgain) {
          this.refreshAgain = false;
          this.refreshStatistics();
        }
      });
  }
}
