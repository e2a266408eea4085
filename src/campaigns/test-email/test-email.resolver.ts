import { Args, ArgsType, Field, ID, Mutation, ObjectType, Resolver } from '@nestjs/graphql';
import { NormalizeEmail } from '../../common/validation/email.js';
import { IsEmail, IsOptional, IsString, IsUUID } from 'class-validator';
import type { OrgContext } from '../../auth/auth.types.js';
import { CurrentOrg } from '../../auth/decorators.js';
import { TestEmailService } from './test-email.service.js';

@ArgsType()
class SendTestEmailArgs {
  @Field(() => ID, { description: 'Campaign to preview.' })
  @IsString()
  id: string;

  @Field({ description: 'Address that receives the test email.' })
  @NormalizeEmail()
  @IsEmail({}, { message: 'to must be an email address' })
  to: string;

  @Field(() => ID, { nullable: true, description: 'Render for this contact; a sample contact when omitted.' })
  @IsOptional()
  @IsUUID('all', { message: 'contactId must be an id' })
  contactId?: string;
}

@ObjectType('TestEmailResult', { description: 'A test email that was sent.' })
class TestEmailResult {
  @Field({ description: 'Its Message-ID.' }) messageId: string;
  @Field({ description: 'Where it went.' }) to: string;
  @Field({ description: 'The mailbox it came from.' }) from: string;
  @Field({ description: 'The rendered subject.' }) subject: string;
}

@Resolver()
export class TestEmailResolver {
  constructor(private readonly testEmails: TestEmailService) {}

  @Mutation(() => TestEmailResult, {
    description: 'Send one rendered preview of the campaign to an address.',
  })
  sendTestEmail(@CurrentOrg() org: OrgContext, @Args() args: SendTestEmailArgs) {
    return this.testEmails.send(org.organizationId, args.id, args.to, args.contactId);
  }
}
