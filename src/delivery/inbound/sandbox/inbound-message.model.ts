import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { InboundKind } from '../../../generated/prisma/enums.js';

registerEnumType(InboundKind, {
  name: 'InboundKind',
  description: 'How an inbound message was classified.',
  valuesMap: {
    REPLY: { description: 'A person answered.' },
    AUTO_REPLY: {
      description: 'An automatic answer (out of office, Auto-Submitted, X-Autoreply, Precedence).',
    },
    BOUNCE_HARD: { description: 'A permanent delivery failure (5.x.x): the address is suppressed.' },
    BOUNCE_SOFT: { description: 'A temporary delivery failure (4.x.x): recorded only.' },
    DELIVERY_REPORT: { description: 'A delivery-status notification that reports no failure.' },
  },
});

@ObjectType('InboundMessage', {
  description: 'A message that arrived in one of the mailboxes: a reply, an automatic reply or a bounce.',
})
export class InboundMessageModel {
  @Field(() => ID, { description: 'Inbound message id.' }) id: string;
  @Field(() => InboundKind, { description: 'How it was classified.' }) kind: InboundKind;
  @Field(() => ID, {
    nullable: true,
    description:
      'The outbound message it answers (a campaign recipient id); null when it names none of ours.',
  })
  outboundMessageId: string | null;
  @Field(() => String, { name: 'from', nullable: true, description: 'Sender address.' }) fromAddress:
    string | null;
  @Field(() => String, { nullable: true, description: 'Subject.' }) subject: string | null;
  @Field(() => String, { nullable: true, description: 'Bounces: the delivery status code, e.g. 5.1.1.' })
  bounceStatus: string | null;
  @Field({ description: 'When the mailbox received it.' }) receivedAt: Date;
}
