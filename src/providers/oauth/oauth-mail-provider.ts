import type { MailProvider } from '../mail-provider.port.js';
import type { TokenSet } from './oauth-credentials.js';

/** A provider's OAuth 2.0 authorization-code client. */
export interface OAuthClient {
  /** Whether a client id and secret are configured. */
  readonly configured: boolean;
  authorizationUrl(state: string, redirectUri: string): string;
  exchangeCode(code: string, redirectUri: string, signal?: AbortSignal): Promise<TokenSet>;
  refresh(refreshToken: string, signal?: AbortSignal): Promise<TokenSet>;
}

/** An adapter whose mailboxes connect through OAuth (Gmail, Microsoft 365). */
export interface OAuthMailProvider extends MailProvider {
  readonly oauth: OAuthClient;
  /** The mailbox address the access token belongs to, from the provider's profile. */
  profileAddress(accessToken: string, signal?: AbortSignal): Promise<string>;
}

export function isOAuthProvider(p: MailProvider): p is OAuthMailProvider {
  return 'oauth' in p && 'profileAddress' in p;
}

/** How the provider is named to people, and in callback paths. */
export const OAUTH_PROVIDERS = {
  GMAIL: { label: 'Google', path: 'google', settings: 'GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET' },
  MICROSOFT: {
    label: 'Microsoft',
    path: 'microsoft',
    settings: 'MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET',
  },
} as const;
export type OAuthProviderType = keyof typeof OAUTH_PROVIDERS;
