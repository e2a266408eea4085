import { Args, ID, Mutation, Resolver } from '@nestjs/graphql';
import type { OrgContext } from '../auth/auth.types.js';
import { CurrentOrg, MinRole } from '../auth/decorators.js';
import { forbidden } from '../common/errors/domain-error.js';
import { AutomationResultModel } from './models/automation.model.js';
import { RunnerService } from './runner.service.js';

@Resolver()
export class RunnerResolver {
  constructor(private readonly runner: RunnerService) {}

  @MinRole('ADMIN')
  @Mutation(() => AutomationResultModel, {
    description: "Promote the organization's due scheduled campaigns now (ADMIN).",
  })
  runAutomation(
    @CurrentOrg() org: OrgContext,
    @Args('organizationId', { type: () => ID }) organizationId: string,
  ) {
    if (organizationId !== org.organizationId) throw forbidden();
    return this.runner.promoteDue(org.organizationId);
  }
}
