import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum SimulationEntryType {
  STEP_ENTERED = 'STEP_ENTERED',
  EMAIL_SENT = 'EMAIL_SENT',
  WAITING = 'WAITING',
  BRANCH_YES = 'BRANCH_YES',
  BRANCH_NO = 'BRANCH_NO',
  OPENED = 'OPENED',
  CLICKED = 'CLICKED',
  REPLIED = 'REPLIED',
  AUTO_REPLIED = 'AUTO_REPLIED',
  BOUNCED = 'BOUNCED',
  UNSUBSCRIBED = 'UNSUBSCRIBED',
  COMPLETED = 'COMPLETED',
  STOPPED = 'STOPPED',
}
registerEnumType(SimulationEntryType, {
  name: 'SimulationEntryType',
  description: 'One entry of a simulated timeline.',
});

export enum SimulationOutcome {
  COMPLETED = 'COMPLETED',
  STOPPED = 'STOPPED',
  UNFINISHED = 'UNFINISHED',
}
registerEnumType(SimulationOutcome, {
  name: 'SimulationOutcome',
  description: 'How the simulated enrollment ends (UNFINISHED: still going two years on).',
});

@ObjectType('SimulationEntry', { description: 'What the engine would do, when.' })
export class SimulationEntryModel {
  @Field({ description: 'When.' })
  at: Date;
  @Field({ description: "The same moment in the contact's time zone (ISO 8601 with offset)." })
  localTime: string;
  @Field(() => SimulationEntryType, { description: 'What.' })
  type: SimulationEntryType;
  @Field(() => String, { nullable: true, description: 'The step it concerns.' })
  stepKey: string | null;
  @Field(() => Date, { nullable: true, description: 'WAITING: until when.' })
  until: Date | null;
  @Field(() => String, { nullable: true, description: 'STOPPED: why.' })
  reason: string | null;
}

@ObjectType('SimulatedEmail', { description: 'An email the contact would get.' })
export class SimulatedEmailModel {
  @Field({ description: 'The EMAIL step.' })
  stepKey: string;
  @Field({ description: 'When it would be handed over to delivery.' })
  at: Date;
  @Field({ description: "The same moment in the contact's time zone." })
  localTime: string;
  @Field({ description: 'Its subject template.' })
  subject: string;
}

@ObjectType('SequenceSimulation', {
  description:
    'The exact timeline the step engine would follow for one contact, computed by the engine itself.',
})
export class SequenceSimulationModel {
  @Field(() => Int, { description: 'The version simulated.' })
  version: number;
  @Field({ description: "The contact's time zone used." })
  timezone: string;
  @Field(() => SimulationOutcome, { description: 'How it ends.' })
  outcome: SimulationOutcome;
  @Field(() => String, { nullable: true, description: 'STOPPED: why.' })
  stopReason: string | null;
  @Field(() => [SimulatedEmailModel], { description: 'The emails, in order.' })
  emails: SimulatedEmailModel[];
  @Field(() => [SimulationEntryModel], { description: 'Every step of the way.' })
  timeline: SimulationEntryModel[];
}
