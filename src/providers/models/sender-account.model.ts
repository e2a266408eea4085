import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { MailProviderType, SenderAccountStatus } from '../../generated/prisma/enums.js';

registerEnumType(MailProviderType, {
  name: 'MailProviderType',
  description: 'How a mailbox sends: SANDBOX (kept in the local inbox page), SMTP, GMAIL or MICROSOFT.',
});
registerEnumType(SenderAccountStatus, {
  name: 'SenderAccountStatus',
  description: 'ACTIVE mailboxes send; DISCONNECTED ones must be reconnected; ERROR ones need attention.',
});

@ObjectType('SenderAccount', {
  description:
    'A mailbox of the organization that campaigns and sequences send from. Its credentials never leave the server.',
})
export class SenderAccountModel {
  @Field(() => ID, { description: 'Sender account id.' })
  id: string;

  @Field(() => MailProviderType, { description: 'The provider the mailbox sends through.' })
  provider: MailProviderType;

  @Field({ description: 'The mailbox address, lower-cased; the envelope sender of every message.' })
  email: string;

  @Field(() => String, { nullable: true, description: 'Name shown in the From header.' })
  displayName: string | null;

  @Field(() => SenderAccountStatus, { description: 'Whether the mailbox can send.' })
  status: SenderAccountStatus;

  @Field(() => Int, { description: 'At most this many sends per day (in the mailbox time zone).' })
  dailyCap: number;

  @Field(() => Int, { description: 'Minimum seconds between two sends of this mailbox.' })
  minGapSeconds: number;

  @Field({ description: 'IANA time zone of the daily cap and the sending window.' })
  timezone: string;

  @Field(() => Int, {
    nullable: true,
    description: 'Start of the sending window, minutes after midnight; null = all day.',
  })
  windowStartMinute: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'End of the sending window, minutes after midnight; null = all day.',
  })
  windowEndMinute: number | null;

  @Field(() => [Int], {
    description: 'ISO weekdays (1 = Monday) on which the mailbox sends; empty = every day.',
  })
  windowDays: number[];

  @Field({
    description:
      'For providers that cannot be asked whether an unsure send went out (SMTP): retry it anyway (true) or never risk a duplicate (false).',
  })
  atLeastOnce: boolean;

  @Field(() => Int, { description: "Messages sent today, in the mailbox's time zone." })
  sentToday: number;

  @Field(() => String, { nullable: true, description: 'Why the mailbox last failed or was disconnected.' })
  lastError: string | null;

  @Field(() => Date, {
    nullable: true,
    description:
      'When replies and bounces were last fetched from this mailbox (Gmail and Microsoft); null = not yet.',
  })
  inboundPolledAt: Date | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why the last fetch of replies and bounces failed; null after a successful one.',
  })
  inboundError: string | null;

  @Field({ description: 'When the mailbox was first connected.' })
  createdAt: Date;
}
