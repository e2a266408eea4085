import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSONObject } from '../../common/graphql/json.scalar.js';
import { Paginated } from '../../common/pagination/connection.js';
import { EnrollmentEventType, EnrollmentStatus, EnrollmentStopReason } from './sequence-enums.js';

export enum EnrollmentSkipReason {
  SUPPRESSED = 'SUPPRESSED',
  ALREADY_REPLIED = 'ALREADY_REPLIED',
  ALREADY_ENROLLED = 'ALREADY_ENROLLED',
  ENDED_BEFORE = 'ENDED_BEFORE',
}
registerEnumType(EnrollmentSkipReason, {
  name: 'EnrollmentSkipReason',
  description:
    'SUPPRESSED: the address is on the suppression list. ALREADY_REPLIED: the contact replied to an earlier email. ALREADY_ENROLLED: live in this sequence. ENDED_BEFORE: an earlier enrollment ended (pass reenroll).',
});

@ObjectType('EnrollmentEvent', { description: 'One entry of an enrollment timeline.' })
export class EnrollmentEventModel {
  @Field(() => EnrollmentEventType, { description: 'What happened.' })
  type: EnrollmentEventType;
  @Field({ description: 'When (the engine clock).' })
  at: Date;
  @Field(() => Int, { nullable: true, description: 'The version the enrollment was on.' })
  version: number | null;
  @Field(() => String, { nullable: true, description: 'The step it concerns.' })
  stepKey: string | null;
  @Field(() => GraphQLJSONObject, { description: 'Details (e.g. automatic: true, reason, until).' })
  data: Record<string, unknown>;
}

@ObjectType('Enrollment', { description: 'One contact going through a sequence.' })
export class EnrollmentModel {
  @Field(() => ID, { description: 'Enrollment id.' })
  id: string;
  @Field(() => ID, { description: 'The sequence.' })
  sequenceId: string;
  @Field(() => ID, { description: 'The contact.' })
  contactId: string;
  @Field({ description: "The contact's address." })
  contactEmail: string;
  @Field(() => Int, { description: '1, then one more per re-enrollment after an earlier one ended.' })
  attempt: number;
  @Field(() => Int, { description: 'The sequence version it follows.' })
  version: number;
  @Field(() => EnrollmentStatus, { description: 'Where it stands.' })
  status: EnrollmentStatus;
  @Field({ description: 'PAUSED because the sequence is paused.' })
  pausedWithSequence: boolean;
  @Field({ description: 'The step it is at, or where it ended.' })
  currentStepKey: string;
  @Field({ description: 'When it reached that step.' })
  stepEnteredAt: Date;
  @Field(() => Date, {
    nullable: true,
    description: 'When the engine acts next; null while an email is with delivery.',
  })
  dueAt: Date | null;
  @Field(() => ID, { description: 'The mailbox all its emails go from.' })
  senderAccountId: string;
  @Field(() => String, { nullable: true, description: 'Message-ID of the first email of its thread.' })
  threadMessageId: string | null;
  @Field(() => Date, {
    nullable: true,
    description: 'When the contact first replied (automatic replies aside).',
  })
  repliedAt: Date | null;
  @Field(() => Date, { nullable: true, description: 'When an email hard-bounced.' })
  bouncedAt: Date | null;
  @Field(() => Date, { nullable: true, description: 'When the contact unsubscribed.' })
  unsubscribedAt: Date | null;
  @Field(() => EnrollmentStopReason, { nullable: true, description: 'Why it stopped.' })
  stopReason: EnrollmentStopReason | null;
  @Field({ description: 'When it was enrolled.' })
  enrolledAt: Date;
  @Field(() => Date, { nullable: true, description: 'When it completed or stopped.' })
  endedAt: Date | null;
  @Field({ description: 'Created at.' })
  createdAt: Date;
}

@ObjectType('EnrollmentConnection', { description: 'A page of enrollments, newest first.' })
export class EnrollmentConnection extends Paginated(EnrollmentModel, 'Enrollment') {}

@ObjectType('EnrollmentSkip', { description: 'A contact enrollContacts left out, and why.' })
export class EnrollmentSkipModel {
  @Field(() => ID, { description: 'The contact.' })
  contactId: string;
  @Field({ description: "The contact's address." })
  email: string;
  @Field(() => EnrollmentSkipReason, { description: 'Why.' })
  reason: EnrollmentSkipReason;
}

@ObjectType('EnrollContactsResult', { description: 'What enrollContacts did.' })
export class EnrollContactsResult {
  @Field(() => Int, { description: 'New enrollments.' })
  enrolled: number;
  @Field(() => Int, { description: 'Contacts left out.' })
  skipped: number;
  @Field(() => [EnrollmentSkipModel], {
    description: 'Contacts left out, with the reason (the first 1,000).',
  })
  skips: EnrollmentSkipModel[];
}

@ObjectType('MoveEnrollmentsResult', { description: 'What moveEnrollments did.' })
export class MoveEnrollmentsResult {
  @Field(() => Int, { description: 'Enrollments moved.' })
  moved: number;
  @Field(() => Int, { description: 'The version they came from.' })
  fromVersion: number;
  @Field(() => Int, { description: 'The version they are on now.' })
  toVersion: number;
}
