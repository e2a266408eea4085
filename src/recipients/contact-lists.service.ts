import { Injectable } from '@nestjs/common';
import { conflict, DomainError, ErrorCode } from '../common/errors/domain-error.js';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { CreateContactListInput } from './dto/contact-list.input.js';
import type { ContactListModel } from './models/contact-list.model.js';

const WITH_COUNT = { _count: { select: { members: true } } } as const;

type ListRow = Omit<ContactListModel, 'contactCount'> & { _count: { members: number } };
const toModel = ({ _count, ...list }: ListRow): ContactListModel => ({
  ...list,
  contactCount: _count.members,
});

/** NOT_FOUND naming `listId`: the list is unknown or another organization's (the caller cannot tell which). */
export const listNotFound = (listId: string) =>
  new DomainError(ErrorCode.NOT_FOUND, `Contact list ${listId} was not found`, { field: 'listId' });

const nameTaken = () => conflict('A contact list with this name already exists', { field: 'name' });

/** Contact lists of an organization. */
@Injectable()
export class ContactListsService {
  constructor(private readonly prisma: PrismaService) {}

  /** Creates a list; CONFLICT on `name` when the organization already has one by that name. */
  async create(organizationId: string, input: CreateContactListInput): Promise<ContactListModel> {
    const taken = await this.prisma.db.contactList.findUnique({
      where: { organizationId_name: { organizationId, name: input.name } },
      select: { id: true },
    });
    if (taken) throw nameTaken();
    try {
      const list = await this.prisma.db.contactList.create({
        data: { organizationId, name: input.name, description: input.description ?? null },
        include: WITH_COUNT,
      });
      return toModel(list);
    } catch (e) {
      if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002') throw nameTaken();
      throw e;
    }
  }

  /** The organization's lists by name, with their sizes. */
  async list(organizationId: string): Promise<ContactListModel[]> {
    const lists = await this.prisma.db.contactList.findMany({
      where: { organizationId },
      include: WITH_COUNT,
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
    });
    return lists.map(toModel);
  }

  /** One of the organization's lists; NOT_FOUND for an unknown id or another organization's list. */
  async get(organizationId: string, listId: string): Promise<ContactListModel> {
    const list = await this.prisma.db.contactList.findFirst({
      where: { id: listId, organizationId },
      include: WITH_COUNT,
    });
    if (!list) throw listNotFound(listId);
    return toModel(list);
  }
}
