import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { OrgContext } from '../auth/auth.types.js';
import { CurrentOrg, MinRole } from '../auth/decorators.js';
import { MailProviderType } from '../generated/prisma/enums.js';
import { ConnectSenderAccountInput } from './dto/connect-sender-account.input.js';
import { UpdateSenderAccountInput } from './dto/update-sender-account.input.js';
import { OAuthConnectService } from './oauth/oauth-connect.service.js';
import { SenderAccountModel } from './models/sender-account.model.js';
import { SandboxInboxService } from './sandbox/sandbox-inbox.service.js';
import { SenderAccountsService } from './sender-accounts.service.js';

@Resolver(() => SenderAccountModel)
export class SenderAccountsResolver {
  constructor(
    private readonly accounts: SenderAccountsService,
    private readonly inbox: SandboxInboxService,
    private readonly oauth: OAuthConnectService,
  ) {}

  @MinRole('ADMIN')
  @Query(() => String, {
    description:
      'The consent URL to connect a GMAIL or MICROSOFT mailbox (ADMIN). Open it in a browser; after consent the provider returns to this server, which stores the mailbox. The link is single-use, bound to you and the active organization, and expires after OAUTH_STATE_TTL_SECONDS.',
  })
  senderAccountAuthorizationUrl(
    @CurrentOrg() org: OrgContext,
    @Args('provider', { type: () => MailProviderType, description: 'GMAIL or MICROSOFT.' })
    provider: MailProviderType,
  ) {
    return this.oauth.authorizationUrl(org, provider);
  }

  @MinRole('ADMIN')
  @Mutation(() => SenderAccountModel, {
    description:
      "Change a mailbox's display name, daily cap, minimum gap, time zone or sending window (ADMIN). Only the fields given change.",
  })
  updateSenderAccount(
    @CurrentOrg() org: OrgContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: UpdateSenderAccountInput,
  ) {
    return this.accounts.update(org.organizationId, id, input);
  }

  @MinRole('ADMIN')
  @Mutation(() => SenderAccountModel, {
    description:
      'Connect a mailbox (ADMIN). Its credentials are verified with the provider first and stored encrypted; a disconnected mailbox with the same address is reconnected.',
  })
  connectSenderAccount(@CurrentOrg() org: OrgContext, @Args('input') input: ConnectSenderAccountInput) {
    return this.accounts.connect(org.organizationId, input);
  }

  @Query(() => [SenderAccountModel], { description: "The organization's mailboxes, oldest first." })
  senderAccounts(@CurrentOrg() org: OrgContext) {
    return this.accounts.list(org.organizationId);
  }

  @MinRole('ADMIN')
  @Mutation(() => SenderAccountModel, {
    description: 'Disconnect a mailbox (ADMIN): it stops sending and its stored credentials are erased.',
  })
  disconnectSenderAccount(@CurrentOrg() org: OrgContext, @Args('id', { type: () => ID }) id: string) {
    return this.accounts.disconnect(org.organizationId, id);
  }

  @Query(() => String, {
    description: 'Link to the sandbox inbox page, where SANDBOX mailboxes keep what they "send".',
  })
  sandboxInboxUrl(@CurrentOrg() org: OrgContext) {
    return this.inbox.inboxUrl(org.organizationId);
  }
}
