import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { OrgContext } from '../auth/auth.types.js';
import { CurrentOrg } from '../auth/decorators.js';
import type { Actor } from '../common/events/event-log.js';
import { connectionComplexity } from '../common/pagination/page-args.js';
import { EnrollContactsInput, MoveEnrollmentsInput } from './dto/enrollment.input.js';
import { EnrollmentsArgs } from './dto/sequence.args.js';
import { EnrollContacts } from './enroll-contacts.js';
import { EnrollmentsService } from './enrollments.service.js';
import {
  EnrollContactsResult,
  EnrollmentConnection,
  EnrollmentEventModel,
  EnrollmentModel,
  MoveEnrollmentsResult,
} from './models/enrollment.model.js';
import { MoveEnrollments } from './move-enrollments.js';

const userActor = (org: OrgContext): Actor => ({ type: 'USER', id: org.userId });
const idArg = () => Args('id', { type: () => ID, description: 'Enrollment id.' });

@Resolver(() => EnrollmentModel)
export class EnrollmentsResolver {
  constructor(
    private readonly service: EnrollmentsService,
    private readonly enrollContacts: EnrollContacts,
    private readonly moveEnrollments: MoveEnrollments,
  ) {}

  @Mutation(() => EnrollContactsResult, {
    name: 'enrollContacts',
    description: 'Enroll contacts (by id and/or list); idempotent, skipped contacts come with the reason.',
  })
  enroll(@CurrentOrg() org: OrgContext, @Args('input') input: EnrollContactsInput) {
    return this.enrollContacts.run(org.organizationId, userActor(org), input);
  }

  @Mutation(() => MoveEnrollmentsResult, {
    name: 'moveEnrollments',
    description:
      'Move the live enrollments of one version to another with an explicit step mapping; never resends a step.',
  })
  move(@CurrentOrg() org: OrgContext, @Args('input') input: MoveEnrollmentsInput) {
    return this.moveEnrollments.run(org.organizationId, userActor(org), input);
  }

  @Mutation(() => EnrollmentModel, {
    description: 'Stop one enrollment for good; its unsent email is cancelled.',
  })
  stopEnrollment(@CurrentOrg() org: OrgContext, @idArg() id: string) {
    return this.service.stop(org.organizationId, id);
  }

  @Mutation(() => EnrollmentModel, { description: 'Pause one enrollment: no further step is handed over.' })
  pauseEnrollment(@CurrentOrg() org: OrgContext, @idArg() id: string) {
    return this.service.pause(org.organizationId, id);
  }

  @Mutation(() => EnrollmentModel, { description: 'Resume one paused enrollment.' })
  resumeEnrollment(@CurrentOrg() org: OrgContext, @idArg() id: string) {
    return this.service.resume(org.organizationId, id);
  }

  @Query(() => EnrollmentModel, { description: 'One enrollment, with its timeline.' })
  enrollment(@CurrentOrg() org: OrgContext, @idArg() id: string) {
    return this.service.get(org.organizationId, id);
  }

  @Query(() => EnrollmentConnection, {
    description: 'Enrollments, newest first.',
    complexity: connectionComplexity,
  })
  enrollments(@CurrentOrg() org: OrgContext, @Args() args: EnrollmentsArgs) {
    const { sequenceId, contactId, status, ...page } = args;
    return this.service.list(org.organizationId, { sequenceId, contactId, status }, page);
  }

  @ResolveField(() => [EnrollmentEventModel], {
    description: 'What happened, when, oldest first.',
    complexity: 10,
  })
  timeline(@Parent() enrollment: EnrollmentModel) {
    return this.service.timeline(enrollment.id);
  }
}
