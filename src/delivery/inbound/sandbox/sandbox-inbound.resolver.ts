import { Args, ArgsType, Field, ID, Mutation, Resolver } from '@nestjs/graphql';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import type { OrgContext } from '../../../auth/auth.types.js';
import { CurrentOrg } from '../../../auth/decorators.js';
import { InboundMessageModel } from './inbound-message.model.js';
import { MAX_SIMULATED_BODY, SandboxInboundService } from './sandbox-inbound.service.js';

@ArgsType()
class SimulateReplyArgs {
  @Field(() => ID, {
    description: 'The message answered: a recipient id of a campaign sent from a SANDBOX mailbox.',
  })
  @IsString()
  messageId: string;

  @Field(() => String, { nullable: true, description: 'Text of the reply; a short default when omitted.' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_SIMULATED_BODY, { message: `body must be at most ${MAX_SIMULATED_BODY} characters` })
  body?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'An automatic answer (out of office, Auto-Submitted) instead of a person replying.',
  })
  @IsOptional()
  @IsBoolean()
  automatic?: boolean | null;
}

@ArgsType()
class SimulateBounceArgs {
  @Field(() => ID, {
    description: 'The message that bounces: a recipient id of a campaign sent from a SANDBOX mailbox.',
  })
  @IsString()
  messageId: string;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'A permanent failure (5.1.1, default: the address is suppressed) or a temporary one (4.2.2).',
  })
  @IsOptional()
  @IsBoolean()
  hard?: boolean | null;
}

/** SANDBOX mailboxes cannot receive mail: these mutations make their recipients answer. */
@Resolver()
export class SandboxInboundResolver {
  constructor(private readonly sandbox: SandboxInboundService) {}

  @Mutation(() => InboundMessageModel, {
    description:
      'Simulate the recipient of a message sent from a SANDBOX mailbox replying to it. The reply goes through the same inbound pipeline as Gmail and Microsoft replies: the recipient counts as replied, and sequences stop on it.',
  })
  simulateReply(@CurrentOrg() org: OrgContext, @Args() args: SimulateReplyArgs) {
    return this.sandbox.simulateReply(org.organizationId, args.messageId, args);
  }

  @Mutation(() => InboundMessageModel, {
    description:
      'Simulate a bounce of a message sent from a SANDBOX mailbox, through the same inbound pipeline as real bounces: a hard bounce marks the recipient BOUNCED and suppresses the address.',
  })
  simulateBounce(@CurrentOrg() org: OrgContext, @Args() args: SimulateBounceArgs) {
    return this.sandbox.simulateBounce(org.organizationId, args.messageId, args);
  }
}
