import { Field, ID, ObjectType } from '@nestjs/graphql';
import { SequenceAnalyticsModel } from './analytics.model.js';
import { SequenceStatus } from './sequence-enums.js';

@ObjectType('SequenceProgress', { description: 'A sequence as it runs: its status and its analytics.' })
export class SequenceProgressModel {
  @Field(() => ID, { description: 'The sequence.' })
  sequenceId: string;
  @Field(() => SequenceStatus, { description: 'Lifecycle status.' })
  status: SequenceStatus;
  @Field(() => SequenceAnalyticsModel, { description: 'Counts overall and per step.' })
  analytics: SequenceAnalyticsModel;
  @Field({ description: 'When the counts were read; a newer snapshot replaces an older one.' })
  readAt: Date;
}
