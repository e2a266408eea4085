import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { callSignal } from '../http/deadline.js';
import { networkKind, type HttpFailure } from '../http/http-failure.js';
import { classifyTokenError } from '../oauth/classify-token-error.js';
import type { TokenSet } from '../oauth/oauth-credentials.js';

/** Send, read (reconcile, replies, bounces), the profile, and a refresh token. */
export const MICROSOFT_SCOPES = [
  'offline_access',
  'https://graph.microsoft.com/Mail.Send',
  'https://graph.microsoft.com/Mail.ReadWrite',
  'https://graph.microsoft.com/User.Read',
];

interface TokenResponse {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
  error?: string;
  error_description?: string;
}

/**
 * The Microsoft identity platform's v2.0 endpoints as plain form POSTs: msal-node keeps the
 * rotated refresh token only inside its own cache and refuses plain-http authorities, while the
 * engine must store every rotated token itself (see shared/PROVIDERS.md).
 */
@Injectable()
export class MicrosoftOAuthClient {
  private readonly ms: ResolvedConfig['microsoft'];
  private readonly timeoutMs: number;

  constructor(@Inject(APP_CONFIG) config: ResolvedConfig) {
    this.ms = config.microsoft;
    this.timeoutMs = config.providers.timeoutMs;
  }

  get configured() {
    return !!this.ms.clientId && !!this.ms.clientSecret;
  }

  authorizationUrl(state: string, redirectUri: string): string {
    const url = new URL(this.ms.authorizeUrl);
    url.search = new URLSearchParams({
      client_id: this.ms.clientId ?? '',
      response_type: 'code',
      redirect_uri: redirectUri,
      response_mode: 'query',
      scope: MICROSOFT_SCOPES.join(' '),
      state,
      prompt: 'select_account',
    }).toString();
    return url.toString();
  }

  exchangeCode(code: string, redirectUri: string, caller?: AbortSignal): Promise<TokenSet> {
    return this.token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }, caller);
  }

  /** A new access token and the rotated refresh token; throws MailboxAuthError on invalid_grant. */
  refresh(refreshToken: string, caller?: AbortSignal): Promise<TokenSet> {
    return this.token({ grant_type: 'refresh_token', refresh_token: refreshToken }, caller);
  }

  private async token(params: Record<string, string>, caller?: AbortSignal): Promise<TokenSet> {
    const signal = callSignal(caller, this.timeoutMs);
    const body = new URLSearchParams({
      ...params,
      client_id: this.ms.clientId ?? '',
      client_secret: this.ms.clientSecret ?? '',
      scope: MICROSOFT_SCOPES.join(' '),
    });
    let failure: HttpFailure;
    try {
      const res = await fetch(this.ms.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        signal,
      });
      const data = (await res.json().catch(() => ({}))) as TokenResponse;
      if (res.ok && data.access_token) {
        return {
          accessToken: data.access_token,
          expiresAt: Date.now() + (data.expires_in ?? 3600) * 1000,
          refreshToken: data.refresh_token,
          scope: data.scope,
        };
      }
      failure = {
        status: res.status,
        reasons: data.error ? [data.error] : [],
        message: data.error_description ?? res.statusText,
        retryAfter: res.headers.get('retry-after'),
      };
    } catch (e) {
      failure = { reasons: [], message: (e as Error).message, network: networkKind(e, signal, caller) };
    }
    throw classifyTokenError(failure, new Date());
  }
}
