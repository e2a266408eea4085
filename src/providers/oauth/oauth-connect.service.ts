import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OrgContext } from '../../auth/auth.types.js';
import { ROLE_RANK } from '../../auth/auth.types.js';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { MailProviderType } from '../../generated/prisma/enums.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { MailError } from '../mail-errors.js';
import { ProviderRegistry } from '../provider-registry.js';
import { oauthNotConfigured, oauthOnly } from '../providers.errors.js';
import { SenderAccountsService } from '../sender-accounts.service.js';
import { withTokens } from './oauth-credentials.js';
import {
  isOAuthProvider,
  OAUTH_PROVIDERS,
  type OAuthMailProvider,
  type OAuthProviderType,
} from './oauth-mail-provider.js';
import type { OAuthOutcome } from './oauth-result-page.js';
import { OAuthStateService } from './oauth-state.service.js';

export interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
  error_description?: string;
}

const STATE_PROBLEMS: Record<string, string> = {
  malformed: 'The link is incomplete or damaged.',
  forged: 'The link was not issued by this server.',
  expired: 'The link has expired.',
  'wrong-provider': 'The link was issued for another provider.',
  used: 'The link has already been used.',
};

/**
 * The OAuth 2.0 authorization-code flow of Gmail and Microsoft 365 mailboxes: the consent URL
 * (with a signed, single-use state bound to the organization and the user), and the callback
 * that exchanges the code, asks the provider whose mailbox it is and stores it.
 */
@Injectable()
export class OAuthConnectService {
  private readonly logger = new Logger(OAuthConnectService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly registry: ProviderRegistry,
    private readonly states: OAuthStateService,
    private readonly accounts: SenderAccountsService,
    private readonly prisma: PrismaService,
  ) {}

  /** The provider's consent URL for the caller (an ADMIN) to connect a mailbox to the organization. */
  authorizationUrl(org: OrgContext, provider: MailProviderType): string {
    const adapter = this.adapterFor(provider);
    const state = this.states.issue(provider as OAuthProviderType, org.organizationId, org.userId);
    return adapter.oauth.authorizationUrl(state, this.redirectUri(provider as OAuthProviderType));
  }

  redirectUri(provider: OAuthProviderType) {
    return `${this.config.publicUrl}/oauth/${OAUTH_PROVIDERS[provider].path}/callback`;
  }

  /**
   * Handles the provider's redirect. Nothing is stored unless the state is genuine, unused and
   * unexpired, its user is still an ADMIN of its organization, and the provider granted a
   * refresh token. Never throws: the outcome is a page for the person in the browser.
   */
  async callback(provider: OAuthProviderType, query: CallbackQuery): Promise<OAuthOutcome> {
    const label = OAUTH_PROVIDERS[provider].label;
    const refused = (detail: string): OAuthOutcome => ({
      status: 400,
      title: 'The mailbox was not connected',
      detail,
    });
    if (!query.state) return refused(`${label} came back without the state this server sent.`);
    const claims = await this.states.consume(query.state, provider);
    if (typeof claims === 'string') {
      return refused(`${STATE_PROBLEMS[claims]} Start again from campaign-engine to get a new one.`);
    }
    if (query.error) {
      return refused(
        query.error === 'access_denied'
          ? `Access was not granted on the ${label} page.`
          : `${label} answered: ${query.error}${query.error_description ? ` (${query.error_description})` : ''}`,
      );
    }
    if (!query.code) return refused(`${label} came back without an authorization code.`);
    const role = await this.prisma.db.membership.findUnique({
      where: { userId_organizationId: { userId: claims.userId, organizationId: claims.organizationId } },
      select: { role: true },
    });
    if (!role || ROLE_RANK[role.role] < ROLE_RANK.ADMIN) {
      return {
        status: 403,
        title: 'The mailbox was not connected',
        detail: 'You are no longer an admin of that organization.',
      };
    }
    try {
      const adapter = this.adapterFor(provider);
      const tokens = await adapter.oauth.exchangeCode(query.code, this.redirectUri(provider));
      if (!tokens.refreshToken) {
        return refused(
          `${label} granted no offline access (no refresh token). Remove campaign-engine from the account's connected apps and connect again.`,
        );
      }
      const email = await adapter.profileAddress(tokens.accessToken);
      if (!email) return refused(`${label} did not say which mailbox this is.`);
      const credentials = withTokens({ refreshToken: tokens.refreshToken }, tokens);
      const { account, reconnected } = await this.accounts.connectAuthorized(
        claims.organizationId,
        provider,
        email,
        { ...credentials },
      );
      return {
        status: 200,
        title: reconnected ? 'Mailbox reconnected' : 'Mailbox connected',
        detail: `${account.email} (${label}) ${reconnected ? 'is connected again' : 'is connected'} and can send: up to ${account.dailyCap} messages a day.`,
      };
    } catch (e) {
      if (e instanceof MailError) {
        return {
          status: 502,
          title: 'The mailbox was not connected',
          detail: `${label} refused: ${e.message}`,
        };
      }
      this.logger.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
      return {
        status: 500,
        title: 'The mailbox was not connected',
        detail: 'Something went wrong on our side; try again.',
      };
    }
  }

  private adapterFor(provider: MailProviderType): OAuthMailProvider {
    const adapter = this.registry.get(provider);
    if (!isOAuthProvider(adapter)) throw oauthOnly(provider);
    if (!adapter.oauth.configured) {
      throw oauthNotConfigured(provider, OAUTH_PROVIDERS[provider as OAuthProviderType].settings);
    }
    return adapter;
  }
}
