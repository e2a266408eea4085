import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Role } from '../generated/prisma/enums.js';
import type { OrgContext } from './auth.types.js';
import { CurrentOrg, MinRole } from './decorators.js';
import { MembersService } from './members.service.js';
import { MemberModel } from './models/member.model.js';

@Resolver(() => MemberModel)
export class MembersResolver {
  constructor(private readonly service: MembersService) {}

  @Query(() => [MemberModel], { description: 'The members of the active organization, oldest first.' })
  members(@CurrentOrg() org: OrgContext) {
    return this.service.list(org.organizationId);
  }

  @MinRole('ADMIN')
  @Mutation(() => MemberModel, {
    description:
      'Change a member’s role (ADMIN). You cannot manage members above your role or grant a role above yours; the organization keeps at least one OWNER.',
  })
  updateMemberRole(
    @CurrentOrg() org: OrgContext,
    @Args('userId', { type: () => ID, description: 'The member’s user id.' }) userId: string,
    @Args('role', { type: () => Role, description: 'Their new role.' }) role: Role,
  ) {
    return this.service.changeRole(org, userId, role);
  }

  @MinRole('ADMIN')
  @Mutation(() => MemberModel, {
    description:
      'Remove a member from the organization (ADMIN); their access ends at once, running subscriptions included.',
  })
  removeMember(
    @CurrentOrg() org: OrgContext,
    @Args('userId', { type: () => ID, description: 'The member’s user id.' }) userId: string,
  ) {
    return this.service.remove(org, userId);
  }
}
