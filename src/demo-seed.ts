import type { INestApplicationContext } from '@nestjs/common';
import { AuthService } from './auth/auth.service.js';
import { hashPassword } from './auth/password.js';
import { PrismaService } from './prisma/prisma.service.js';

export const DEMO = {
  email: 'demo@campaign-engine.local',
  password: 'demo-password',
  organization: 'Demo Organization',
};

/**
 * Idempotent demo data for local runs: a user, an organization it owns, two sandbox mailboxes and a
 * small contact list. Returns a ready token.
 */
export async function seedDemo(app: INestApplicationContext) {
  const prisma = app.get(PrismaService).db;
  const user =
    (await prisma.user.findUnique({ where: { email: DEMO.email } })) ??
    (await prisma.user.create({
      data: { email: DEMO.email, name: 'Demo User', passwordHash: await hashPassword(DEMO.password) },
    }));
  let membership = await prisma.membership.findFirst({
    where: { userId: user.id, organization: { name: DEMO.organization } },
  });
  if (!membership) {
    const org = await prisma.organization.create({
      data: { name: DEMO.organization, memberships: { create: { userId: user.id, role: 'OWNER' } } },
    });
    membership = await prisma.membership.findFirstOrThrow({
      where: { userId: user.id, organizationId: org.id },
    });
  }
  const organizationId = membership.organizationId;
  for (const [i, name] of ['Sales', 'Recruiting'].entries()) {
    const email = `${name.toLowerCase()}@sandbox.campaign-engine.local`;
    await prisma.senderAccount.upsert({
      where: { organizationId_email_provider: { organizationId, email, provider: 'SANDBOX' } },
      update: {},
      create: {
        organizationId,
        email,
        displayName: `${name} (sandbox)`,
        provider: 'SANDBOX',
        dailyCap: 1000 + i,
      },
    });
  }
  const list = await prisma.contactList.upsert({
    where: { organizationId_name: { organizationId, name: 'Demo contacts' } },
    update: {},
    create: { organizationId, name: 'Demo contacts', description: 'Seeded for local runs' },
  });
  const people = [
    ['ada@example.com', 'Ada', 'Lovelace', 'Analytical Engines'],
    ['grace@example.com', 'Grace', 'Hopper', 'Navy'],
    ['alan@example.com', 'Alan', 'Turing', 'Bletchley Park'],
  ];
  for (const [email, firstName, lastName, company] of people) {
    const contact = await prisma.contact.upsert({
      where: { organizationId_email: { organizationId, email } },
      update: {},
      create: { organizationId, email, firstName, lastName, company },
    });
    await prisma.contactListMember.upsert({
      where: { listId_contactId: { listId: list.id, contactId: contact.id } },
      update: {},
      create: { listId: list.id, contactId: contact.id },
    });
  }
  const token = app.get(AuthService).issue(user).accessToken;
  return { email: DEMO.email, password: DEMO.password, organizationId, token };
}
