import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { SuppressionReason } from '../../generated/prisma/enums.js';
import { Paginated } from '../../common/pagination/connection.js';

export { SuppressionReason };

registerEnumType(SuppressionReason, {
  name: 'SuppressionReason',
  description: 'Why an address is suppressed.',
  valuesMap: {
    MANUAL: { description: 'Added by a member of the organization.' },
    UNSUBSCRIBED: { description: 'The recipient unsubscribed.' },
    BOUNCED: { description: 'Mail to the address bounced permanently.' },
    COMPLAINED: { description: 'The recipient reported a message as spam.' },
  },
});

@ObjectType('Suppression', {
  description: 'An address no campaign or sequence of the organization sends to.',
})
export class SuppressionModel {
  @Field(() => ID, { description: 'Suppression id.' })
  id: string;

  @Field({ description: 'The suppressed address, trimmed and lower-cased.' })
  email: string;

  @Field(() => SuppressionReason, { description: 'Why the address is suppressed.' })
  reason: SuppressionReason;

  @Field(() => String, { nullable: true, description: 'A note for the team.' })
  note: string | null;

  @Field({ description: 'When the address was suppressed.' })
  createdAt: Date;
}

@ObjectType('SuppressionConnection', { description: 'A page of suppressed addresses, newest first.' })
export class SuppressionConnection extends Paginated(SuppressionModel, 'Suppression') {}
