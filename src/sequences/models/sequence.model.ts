import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { Paginated } from '../../common/pagination/connection.js';
import {
  DurationUnit,
  SequenceStatus,
  SequenceStepType,
  StepCondition,
  ThreadMode,
} from './sequence-enums.js';

@ObjectType('SequenceStep', { description: 'One step of a sequence version, with its successors resolved.' })
export class SequenceStepModel {
  @Field(() => ID, { description: 'Step id (one per version).' })
  id: string;
  @Field({ description: 'Names the step across versions.' })
  key: string;
  @Field(() => Int, { description: 'Place in the list, from 0 (the entry step).' })
  position: number;
  @Field(() => SequenceStepType, { description: 'What the step does.' })
  type: SequenceStepType;
  @Field(() => String, { nullable: true, description: 'EMAIL: subject line (Liquid).' })
  subject: string | null;
  @Field(() => String, { nullable: true, description: 'EMAIL: HTML body (Liquid).' })
  htmlBody: string | null;
  @Field(() => String, { nullable: true, description: 'EMAIL: plain-text body.' })
  textBody: string | null;
  @Field(() => ThreadMode, { nullable: true, description: 'EMAIL: threading.' })
  threadMode: ThreadMode | null;
  @Field(() => Int, { nullable: true, description: 'WAIT: how long.' })
  waitAmount: number | null;
  @Field(() => DurationUnit, { nullable: true, description: 'WAIT: the unit of waitAmount.' })
  waitUnit: DurationUnit | null;
  @Field(() => StepCondition, { nullable: true, description: 'CONDITION: what it asks.' })
  condition: StepCondition | null;
  @Field(() => Int, { nullable: true, description: 'CONDITION: the window.' })
  windowAmount: number | null;
  @Field(() => DurationUnit, { nullable: true, description: 'CONDITION: the unit of windowAmount.' })
  windowUnit: DurationUnit | null;
  @Field(() => String, {
    nullable: true,
    description: 'EMAIL/WAIT: the next step; null when the sequence ends here.',
  })
  nextStepKey: string | null;
  @Field(() => String, { nullable: true, description: 'CONDITION: the yes branch.' })
  yesStepKey: string | null;
  @Field(() => String, { nullable: true, description: 'CONDITION: the no branch.' })
  noStepKey: string | null;
}

@ObjectType('SequenceVersion', {
  description: 'An immutable version of the step graph (the draft until published).',
})
export class SequenceVersionModel {
  @Field(() => Int, { description: 'Version number, from 1.' })
  version: number;
  @Field(() => Date, {
    nullable: true,
    description: 'When it was published; null for the draft of a DRAFT sequence.',
  })
  publishedAt: Date | null;
  @Field({ description: 'Where its enrollments start.' })
  entryStepKey: string;
  @Field({ description: 'Whether its emails carry an open-tracking pixel.' })
  trackOpens: boolean;
  @Field({ description: 'Whether its links are tracked.' })
  trackClicks: boolean;
  @Field(() => [SequenceStepModel], { description: 'Its steps, in list order.' })
  steps: SequenceStepModel[];
}

@ObjectType('Sequence', { description: 'Multi-step outreach that follows each enrolled contact over days.' })
export class SequenceModel {
  @Field(() => ID, { description: 'Sequence id.' })
  id: string;
  @Field({ description: 'Internal name.' })
  name: string;
  @Field(() => SequenceStatus, { description: 'Lifecycle status.' })
  status: SequenceStatus;
  @Field({ description: 'Time zone of contacts who have none.' })
  timezone: string;
  @Field(() => [Int], { description: 'ISO weekdays emails go out on (1 = Monday).' })
  businessDays: number[];
  @Field(() => Int, { description: 'Business hours start, minutes after midnight in the contact zone.' })
  businessStartMinute: number;
  @Field(() => Int, { description: 'Business hours end, minutes after midnight in the contact zone.' })
  businessEndMinute: number;
  @Field({ description: 'A reply stops the enrollment.' })
  stopOnReply: boolean;
  @Field({ description: 'An automatic reply stops it too.' })
  stopOnAutoReply: boolean;
  @Field({ description: "A reply from anyone at the contact's company domain stops every enrollment there." })
  stopOnDomainReply: boolean;
  @Field({ description: 'A hard bounce stops the enrollment.' })
  stopOnBounce: boolean;
  @Field({ description: 'Unsubscribing stops the enrollment.' })
  stopOnUnsubscribe: boolean;
  @Field({ description: 'Open tracking for the next published version.' })
  trackOpens: boolean;
  @Field({ description: 'Click tracking for the next published version.' })
  trackClicks: boolean;
  @Field(() => [ID], { description: 'Mailboxes new enrollments are assigned to, in round-robin order.' })
  senderAccountIds: string[];
  @Field(() => Int, {
    nullable: true,
    description: 'The version new enrollments enter; null until activated.',
  })
  currentVersion: number | null;
  @Field(() => [SequenceStepModel], {
    description: 'Steps of the latest version (the draft of a DRAFT sequence).',
  })
  steps: SequenceStepModel[];
  @Field(() => [SequenceVersionModel], { description: 'Every version, oldest first.' })
  versions: SequenceVersionModel[];
  @Field(() => Date, { nullable: true, description: 'When it was first activated.' })
  activatedAt: Date | null;
  @Field(() => Date, { nullable: true, description: 'When it was paused, while PAUSED.' })
  pausedAt: Date | null;
  @Field(() => Date, { nullable: true, description: 'When it was archived.' })
  archivedAt: Date | null;
  @Field({ description: 'Created at.' })
  createdAt: Date;
  @Field({ description: 'Last changed at.' })
  updatedAt: Date;
}

@ObjectType('SequenceConnection', { description: 'A page of sequences, newest first.' })
export class SequenceConnection extends Paginated(SequenceModel, 'Sequence') {}
