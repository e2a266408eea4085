import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { OrgContext } from '../auth/auth.types.js';
import { CurrentOrg } from '../auth/decorators.js';
import { PageArgs, connectionComplexity } from '../common/pagination/page-args.js';
import { AddSuppressionInput, RemoveSuppressionArgs } from './dto/suppression.input.js';
import { SuppressionConnection, SuppressionModel } from './models/suppression.model.js';
import { SuppressionsService } from './suppressions.service.js';

@Resolver(() => SuppressionModel)
export class SuppressionsResolver {
  constructor(private readonly service: SuppressionsService) {}

  @Query(() => SuppressionConnection, {
    description: 'Addresses the organization never sends to, newest first.',
    complexity: connectionComplexity,
  })
  suppressions(@CurrentOrg() org: OrgContext, @Args() args: PageArgs) {
    return this.service.page(org.organizationId, args);
  }

  @Mutation(() => SuppressionModel, {
    description: 'Suppress an address (idempotent: an existing entry takes the reason and note given).',
  })
  addSuppression(@CurrentOrg() org: OrgContext, @Args('input') input: AddSuppressionInput) {
    return this.service.add(org.organizationId, input);
  }

  @Mutation(() => Boolean, {
    description: 'Lift the suppression of an address; NOT_FOUND when there is none.',
  })
  removeSuppression(@CurrentOrg() org: OrgContext, @Args() args: RemoveSuppressionArgs) {
    return this.service.remove(org.organizationId, args.email);
  }
}
