import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { AuthUser, OrgContext } from './auth.types.js';
import { CurrentOrg, CurrentUser, MinRole, UserScoped } from './decorators.js';
import { CreateOrganizationInput, UpdateOrganizationInput } from './dto/create-organization.input.js';
import { OrganizationChange, OrganizationModel } from './models/organization.model.js';
import { OrganizationsService } from './organizations.service.js';
import { GuardedSubscription, SubscriptionAccess } from './subscription-access.js';

@Resolver(() => OrganizationModel)
export class OrganizationsResolver {
  constructor(
    private readonly service: OrganizationsService,
    private readonly access: SubscriptionAccess,
  ) {}

  @UserScoped()
  @Mutation(() => OrganizationModel, { description: 'Create an organization; you become its OWNER.' })
  createOrganization(@CurrentUser() user: AuthUser, @Args('input') input: CreateOrganizationInput) {
    return this.service.create(user.id, input);
  }

  @UserScoped()
  @Query(() => [OrganizationModel], { description: 'The organizations you belong to.' })
  organizations(@CurrentUser() user: AuthUser) {
    return this.service.listForUser(user.id);
  }

  @Query(() => OrganizationModel, { description: 'The active organization (x-organization-id).' })
  organization(@CurrentOrg() org: OrgContext) {
    return this.service.current(org);
  }

  @MinRole('ADMIN')
  @Mutation(() => OrganizationModel, {
    description: 'Rename the active organization or change its time zone (ADMIN).',
  })
  updateOrganization(@CurrentOrg() org: OrgContext, @Args('input') input: UpdateOrganizationInput) {
    return this.service.update(org, input);
  }

  @GuardedSubscription(() => OrganizationChange, {
    description:
      'Changes to the active organization (connectionParams: authorization, organizationId). Ends with FORBIDDEN when your membership ends.',
  })
  organizationUpdated(@CurrentOrg() org: OrgContext) {
    return this.access.guard(org, this.service.updates(org));
  }
}
