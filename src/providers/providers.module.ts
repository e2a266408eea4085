import { Module } from '@nestjs/common';
import { CredentialsCipher } from '../common/crypto/credentials-cipher.js';
import { MAIL_PROVIDERS, type MailProvider } from './mail-provider.port.js';
import { MailboxHostGuard } from './mailbox-host-guard.js';
import { ProviderRegistry } from './provider-registry.js';
import { SandboxInboxController, SandboxInboxGuard } from './sandbox/sandbox-inbox.controller.js';
import { SandboxInboxService } from './sandbox/sandbox-inbox.service.js';
import { SandboxProvider } from './sandbox/sandbox.provider.js';
import { SenderAccountsResolver } from './sender-accounts.resolver.js';
import { SenderAccountsService } from './sender-accounts.service.js';
import { SmtpProvider } from './smtp/smtp.provider.js';
import { GmailProvider } from './gmail/gmail.provider.js';
import { GoogleOAuthClient } from './gmail/google-oauth.client.js';
import { OAuthTokenStore } from './oauth/oauth-token.store.js';
import { GraphProvider } from './graph/graph.provider.js';
import { MicrosoftOAuthClient } from './graph/microsoft-oauth.client.js';
import { OAuthCallbackController } from './oauth/oauth-callback.controller.js';
import { OAuthConnectService } from './oauth/oauth-connect.service.js';
import { OAuthStateService } from './oauth/oauth-state.service.js';

/**
 * Sender accounts (mailboxes) and the MailProvider adapters behind one port. Each adapter is its
 * own provider, so a test can `overrideProvider(SmtpProvider)`; the registry sees them through
 * MAIL_PROVIDERS.
 */
@Module({
  controllers: [SandboxInboxController, OAuthCallbackController],
  providers: [
    CredentialsCipher,
    MailboxHostGuard,
    SandboxProvider,
    SmtpProvider,
    OAuthTokenStore,
    GoogleOAuthClient,
    GmailProvider,
    MicrosoftOAuthClient,
    GraphProvider,
    {
      provide: MAIL_PROVIDERS,
      useFactory: (...adapters: MailProvider[]) => adapters,
      inject: [SandboxProvider, SmtpProvider, GmailProvider, GraphProvider],
    },
    ProviderRegistry,
    SenderAccountsService,
    OAuthStateService,
    OAuthConnectService,
    SenderAccountsResolver,
    SandboxInboxService,
    SandboxInboxGuard,
  ],
  exports: [
    ProviderRegistry,
    SenderAccountsService,
    SandboxInboxService,
    SandboxInboxGuard,
    CredentialsCipher,
    MailboxHostGuard,
    MAIL_PROVIDERS,
  ],
})
export class ProvidersModule {}
