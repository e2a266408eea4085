import { Inject, Injectable } from '@nestjs/common';
import { auth } from '@googleapis/gmail';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { callSignal } from '../http/deadline.js';
import { classifyTokenError } from '../oauth/classify-token-error.js';
import type { TokenSet } from '../oauth/oauth-credentials.js';
import { gaxiosFailure } from './gaxios-failure.js';

/** Sending, and reading to reconcile sends and find replies and bounces. */
export const GOOGLE_SCOPES = [
  'https://www.googleapis.com/auth/gmail.send',
  'https://www.googleapis.com/auth/gmail.readonly',
];

/**
 * Google's OAuth 2.0 endpoints through google-auth-library (the `auth.OAuth2` that
 * @googleapis/gmail re-exports, so there is one copy of the library). Endpoints come from
 * configuration, which is how tests and `npm run start:fakes` point it at a local fake.
 */
@Injectable()
export class GoogleOAuthClient {
  private readonly google: ResolvedConfig['google'];
  private readonly timeoutMs: number;

  constructor(@Inject(APP_CONFIG) config: ResolvedConfig) {
    this.google = config.google;
    this.timeoutMs = config.providers.timeoutMs;
  }

  get configured() {
    return !!this.google.clientId && !!this.google.clientSecret;
  }

  /** The consent URL: offline access (a refresh token) and the consent screen every time. */
  authorizationUrl(state: string, redirectUri: string): string {
    return this.client(redirectUri).generateAuthUrl({
      access_type: 'offline',
      prompt: 'consent',
      scope: GOOGLE_SCOPES,
      state,
    });
  }

  /** Exchanges an authorization code; throws a MailError (MailboxAuthError for a refused code). */
  async exchangeCode(code: string, redirectUri: string, caller?: AbortSignal): Promise<TokenSet> {
    const signal = callSignal(caller, this.timeoutMs);
    try {
      const { tokens } = await this.client(redirectUri, signal).getToken({ code, redirect_uri: redirectUri });
      return {
        accessToken: tokens.access_token ?? '',
        expiresAt: tokens.expiry_date ?? Date.now() + 3600_000,
        refreshToken: tokens.refresh_token ?? undefined,
        scope: tokens.scope ?? undefined,
      };
    } catch (e) {
      throw classifyTokenError(gaxiosFailure(e, signal, caller), new Date());
    }
  }

  /** A new access token from the refresh token; throws MailboxAuthError on invalid_grant. */
  async refresh(refreshToken: string, caller?: AbortSignal): Promise<TokenSet> {
    const signal = callSignal(caller, this.timeoutMs);
    const client = this.client(undefined, signal);
    client.setCredentials({ refresh_token: refreshToken });
    try {
      const { token } = await client.getAccessToken();
      return {
        accessToken: token ?? '',
        expiresAt: client.credentials.expiry_date ?? Date.now() + 3600_000,
        refreshToken:
          client.credentials.refresh_token && client.credentials.refresh_token !== refreshToken
            ? client.credentials.refresh_token
            : undefined,
        scope: client.credentials.scope ?? undefined,
      };
    } catch (e) {
      throw classifyTokenError(gaxiosFailure(e, signal, caller), new Date());
    }
  }

  private client(redirectUri?: string, signal?: AbortSignal) {
    return new auth.OAuth2({
      clientId: this.google.clientId,
      clientSecret: this.google.clientSecret,
      redirectUri,
      endpoints: { oauth2AuthBaseUrl: this.google.authorizeUrl, oauth2TokenUrl: this.google.tokenUrl },
      transporterOptions: { signal, retry: false },
    });
  }
}
