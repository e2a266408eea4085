import { MailboxAuthError } from '../mail-errors.js';

/** What a Gmail or Microsoft mailbox stores (encrypted) in `SenderAccount.encryptedCredentials`. */
export interface OAuthCredentials {
  refreshToken: string;
  accessToken?: string;
  /** Epoch milliseconds after which `accessToken` is no longer accepted. */
  accessTokenExpiresAt?: number;
  /** Scopes the user granted. */
  scope?: string;
}

/** A token endpoint's answer. Microsoft rotates the refresh token on every refresh; Google rarely. */
export interface TokenSet {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  refreshToken?: string;
  scope?: string;
}

/** Access tokens are renewed this long before they expire, so a call never starts with a dying token. */
export const EXPIRY_MARGIN_MS = 60_000;

export function parseOAuthCredentials(raw: Record<string, unknown>): OAuthCredentials {
  const { refreshToken, accessToken, accessTokenExpiresAt, scope } = raw;
  if (typeof refreshToken !== 'string' || !refreshToken) {
    throw new MailboxAuthError('The mailbox has no refresh token; reconnect it');
  }
  return {
    refreshToken,
    accessToken: typeof accessToken === 'string' ? accessToken : undefined,
    accessTokenExpiresAt: typeof accessTokenExpiresAt === 'number' ? accessTokenExpiresAt : undefined,
    scope: typeof scope === 'string' ? scope : undefined,
  };
}

export function isFresh(c: { accessToken?: string; accessTokenExpiresAt?: number }, now = Date.now()) {
  return !!c.accessToken && (c.accessTokenExpiresAt ?? 0) - EXPIRY_MARGIN_MS > now;
}

export function withTokens(c: OAuthCredentials, set: TokenSet): OAuthCredentials {
  return {
    ...c,
    accessToken: set.accessToken,
    accessTokenExpiresAt: set.expiresAt,
    refreshToken: set.refreshToken ?? c.refreshToken,
    scope: set.scope ?? c.scope,
  };
}
