import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Role } from '../../generated/prisma/enums.js';

registerEnumType(Role, {
  name: 'Role',
  description: 'Membership role, from most to least powerful: OWNER, ADMIN, MEMBER, VIEWER.',
});

@ObjectType('Organization', { description: 'A tenant: its mailboxes, contacts, campaigns and sequences.' })
export class OrganizationModel {
  @Field(() => ID, { description: 'Send it as the `x-organization-id` header to act in this organization.' })
  id: string;

  @Field({ description: 'Display name.' })
  name: string;

  @Field({ description: 'Default IANA time zone for schedules and business hours.' })
  timezone: string;

  @Field(() => Role, { description: "The caller's role in this organization." })
  role: Role;

  @Field({ description: 'When the organization was created.' })
  createdAt: Date;
}

@ObjectType('OrganizationChange', { description: 'A change to an organization, as pushed to subscribers.' })
export class OrganizationChange {
  @Field(() => ID, { description: 'The organization that changed.' })
  organizationId: string;

  @Field({ description: 'Its name after the change.' })
  name: string;

  @Field({ description: 'Its time zone after the change.' })
  timezone: string;

  @Field({ description: 'When it changed.' })
  updatedAt: Date;
}
