import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { OrgContext } from '../auth/auth.types.js';
import { CurrentOrg } from '../auth/decorators.js';
import type { Actor } from '../common/events/event-log.js';
import { connectionComplexity } from '../common/pagination/page-args.js';
import { SequencesArgs } from './dto/sequence.args.js';
import { CreateSequenceInput, UpdateSequenceInput } from './dto/sequence.input.js';
import { SequenceConnection, SequenceModel } from './models/sequence.model.js';
import { SequenceLifecycleService } from './sequence-lifecycle.service.js';
import { SequencesService } from './sequences.service.js';

const userActor = (org: OrgContext): Actor => ({ type: 'USER', id: org.userId });
const idArg = () => Args('id', { type: () => ID, description: 'Sequence id.' });

@Resolver(() => SequenceModel)
export class SequencesResolver {
  constructor(
    private readonly service: SequencesService,
    private readonly lifecycle: SequenceLifecycleService,
  ) {}

  @Mutation(() => SequenceModel, {
    description: 'Create a DRAFT sequence; its steps are validated as a graph.',
  })
  createSequence(@CurrentOrg() org: OrgContext, @Args('input') input: CreateSequenceInput) {
    return this.service.create(org.organizationId, userActor(org), input);
  }

  @Mutation(() => SequenceModel, {
    description:
      'Change a sequence. New steps or tracking on an ACTIVE or PAUSED sequence publish a new version; enrolled contacts keep theirs.',
  })
  updateSequence(
    @CurrentOrg() org: OrgContext,
    @idArg() id: string,
    @Args('input') input: UpdateSequenceInput,
  ) {
    return this.service.update(org.organizationId, userActor(org), id, input);
  }

  @Mutation(() => SequenceModel, {
    description: 'Publish the draft as version 1 and open the sequence to enrollments.',
  })
  activateSequence(@CurrentOrg() org: OrgContext, @idArg() id: string) {
    return this.lifecycle.activate(org.organizationId, userActor(org), id);
  }

  @Mutation(() => SequenceModel, { description: 'Pause: once this returns no further step is handed over.' })
  pauseSequence(@CurrentOrg() org: OrgContext, @idArg() id: string) {
    return this.lifecycle.pause(org.organizationId, userActor(org), id);
  }

  @Mutation(() => SequenceModel, {
    description: 'Resume a paused sequence; steps that fell due meanwhile go on at once.',
  })
  resumeSequence(@CurrentOrg() org: OrgContext, @idArg() id: string) {
    return this.lifecycle.resume(org.organizationId, userActor(org), id);
  }

  @Mutation(() => SequenceModel, {
    description: 'Archive: live enrollments stop and their unsent emails are cancelled.',
  })
  archiveSequence(@CurrentOrg() org: OrgContext, @idArg() id: string) {
    return this.lifecycle.archive(org.organizationId, userActor(org), id);
  }

  @Query(() => SequenceModel, { description: 'One sequence, with its versions.' })
  sequence(@CurrentOrg() org: OrgContext, @idArg() id: string) {
    return this.service.get(org.organizationId, id);
  }

  @Query(() => SequenceConnection, {
    description: 'Sequences, newest first.',
    complexity: connectionComplexity,
  })
  sequences(@CurrentOrg() org: OrgContext, @Args() args: SequencesArgs) {
    return this.service.list(org.organizationId, args, args.status);
  }
}
