import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { SequenceStepType } from './sequence-enums.js';

@ObjectType('SequenceStepAnalytics', { description: 'Counters of one step of one version.' })
export class SequenceStepAnalyticsModel {
  @Field(() => Int, { description: 'The version.' })
  version: number;
  @Field({ description: 'The step key.' })
  stepKey: string;
  @Field(() => SequenceStepType, { description: 'The step type.' })
  type: SequenceStepType;
  @Field(() => Int, { description: 'Enrollments that reached the step.' })
  entered: number;
  @Field(() => Int, { description: 'EMAIL: messages handed to delivery.' })
  handedOver: number;
  @Field(() => Int, { description: 'EMAIL: messages sent.' })
  sent: number;
  @Field(() => Int, { description: 'EMAIL: messages that could not be sent.' })
  failed: number;
  @Field(() => Int, { description: 'EMAIL: messages opened by a person (first open each).' })
  opened: number;
  @Field(() => Int, {
    description: 'EMAIL: messages a machine opened (privacy proxies, scanners), counted apart from people.',
  })
  openedByMachine: number;
  @Field(() => Int, { description: 'EMAIL: messages with a click by a person.' })
  clicked: number;
  @Field(() => Int, { description: 'EMAIL: messages replied to (automatic replies aside).' })
  replied: number;
  @Field(() => Int, { description: 'EMAIL: automatic replies (out-of-office).' })
  autoReplied: number;
  @Field(() => Int, { description: 'EMAIL: hard bounces.' })
  bounced: number;
  @Field(() => Int, { description: 'EMAIL: unsubscribes from its messages.' })
  unsubscribed: number;
  @Field(() => Int, { description: 'CONDITION: yes branches taken.' })
  yes: number;
  @Field(() => Int, { description: 'CONDITION: no branches taken.' })
  no: number;
  @Field(() => Float, { description: 'EMAIL: replied / sent, in percent.' })
  replyRate: number;
}

@ObjectType('SequenceAnalytics', { description: 'How a sequence is doing, overall and per step.' })
export class SequenceAnalyticsModel {
  @Field(() => ID, { description: 'The sequence.' })
  sequenceId: string;
  @Field(() => Int, { description: 'Enrollments ever made (re-enrollments count again).' })
  enrolled: number;
  @Field(() => Int, { description: 'Enrollments ACTIVE now.' })
  active: number;
  @Field(() => Int, { description: 'Enrollments PAUSED now.' })
  paused: number;
  @Field(() => Int, { description: 'Enrollments that went through to the end.' })
  completed: number;
  @Field(() => Int, { description: 'Enrollments stopped (reply, bounce, unsubscribe, by hand, archive).' })
  stopped: number;
  @Field(() => Int, { description: 'Enrollments whose contact replied (automatic replies aside).' })
  replied: number;
  @Field(() => Int, { description: 'Enrollments with a hard bounce.' })
  bounced: number;
  @Field(() => Int, { description: 'Enrollments whose contact unsubscribed.' })
  unsubscribed: number;
  @Field(() => Int, { description: 'Emails sent.' })
  sent: number;
  @Field(() => Int, { description: 'Emails opened by a person.' })
  opened: number;
  @Field(() => Int, {
    description: 'Emails a machine opened (privacy proxies, scanners), counted apart from people.',
  })
  openedByMachine: number;
  @Field(() => Int, { description: 'Emails clicked by a person.' })
  clicked: number;
  @Field(() => Float, {
    description: 'Replied enrollments / enrollments sent at least one email, in percent.',
  })
  replyRate: number;
  @Field(() => [SequenceStepAnalyticsModel], { description: 'Per step, by version and list order.' })
  steps: SequenceStepAnalyticsModel[];
}
