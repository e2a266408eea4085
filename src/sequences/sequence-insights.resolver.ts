import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import type { OrgContext } from '../auth/auth.types.js';
import { CurrentOrg } from '../auth/decorators.js';
import { GuardedSubscription, SubscriptionAccess } from '../auth/subscription-access.js';
import { SequenceProgressModel } from './models/sequence-progress.model.js';
import { SequenceProgressService } from './sequence-progress.service.js';
import { SimulateSequenceInput } from './dto/simulate.input.js';
import { SequenceAnalyticsModel } from './models/analytics.model.js';
import { SequenceSimulationModel } from './models/simulation.model.js';
import { SequenceAnalyticsService } from './sequence-analytics.service.js';
import { SimulationService } from './simulation.service.js';

const sequenceIdArg = () => Args('sequenceId', { type: () => ID, description: 'Sequence id.' });

@Resolver()
export class SequenceInsightsResolver {
  constructor(
    private readonly analytics: SequenceAnalyticsService,
    private readonly simulation: SimulationService,
    private readonly progress: SequenceProgressService,
    private readonly access: SubscriptionAccess,
  ) {}

  @Query(() => SequenceProgressModel, { description: 'A sequence as it runs: status and analytics.' })
  sequenceProgress(@CurrentOrg() org: OrgContext, @sequenceIdArg() sequenceId: string) {
    return this.progress.snapshot(org.organizationId, sequenceId);
  }

  @GuardedSubscription(() => SequenceProgressModel, {
    name: 'sequenceProgress',
    description:
      'The sequence progress now, then a few times a second while it changes. Ends with FORBIDDEN when your membership ends.',
  })
  async sequenceProgressUpdates(@CurrentOrg() org: OrgContext, @sequenceIdArg() sequenceId: string) {
    await this.progress.snapshot(org.organizationId, sequenceId); // NOT_FOUND before subscribing
    return this.access.guard(org, this.progress.stream(org.organizationId, sequenceId));
  }

  @Query(() => SequenceAnalyticsModel, { description: 'How a sequence is doing, overall and per step.' })
  sequenceAnalytics(@CurrentOrg() org: OrgContext, @sequenceIdArg() sequenceId: string) {
    return this.analytics.analytics(org.organizationId, sequenceId);
  }

  @Query(() => SequenceSimulationModel, {
    description:
      'Dry run: the exact timeline the engine would follow for one contact, given hypothetical engagement.',
  })
  simulateSequence(
    @CurrentOrg() org: OrgContext,
    @sequenceIdArg() sequenceId: string,
    @Args('input', { type: () => SimulateSequenceInput, nullable: true }) input?: SimulateSequenceInput,
  ) {
    return this.simulation.simulate(org.organizationId, sequenceId, input ?? {});
  }
}
