import type { MailboxContext } from '../mail-provider.port.js';
import { isFresh, parseOAuthCredentials, type OAuthCredentials, type TokenSet } from './oauth-credentials.js';
import type { OAuthTokenStore } from './oauth-token.store.js';

/**
 * An adapter's access tokens: cached per mailbox until shortly before expiry; a refresh in this
 * process is shared by every call that needs it, and across processes the store's lock makes it
 * happen once.
 */
export class AccessTokens {
  private readonly cache = new Map<string, OAuthCredentials>();
  private readonly pending = new Map<string, Promise<OAuthCredentials>>();

  constructor(
    private readonly store: OAuthTokenStore,
    private readonly refresh: (refreshToken: string, signal: AbortSignal) => Promise<TokenSet>,
  ) {}

  /** A usable access token: the cached one, the stored one, or a refreshed one. */
  async get(mailbox: MailboxContext, signal: AbortSignal): Promise<string> {
    const cached = this.cache.get(mailbox.id);
    if (cached && isFresh(cached)) return cached.accessToken!;
    const given = parseOAuthCredentials(mailbox.credentials);
    if (isFresh(given) && given.accessToken !== cached?.accessToken) {
      this.cache.set(mailbox.id, given);
      return given.accessToken!;
    }
    return this.renew(mailbox, cached?.accessToken ?? given.accessToken, signal);
  }

  /** A new access token after `stale` was refused (401) or expired. */
  async renew(mailbox: MailboxContext, stale: string | undefined, signal: AbortSignal): Promise<string> {
    let flight = this.pending.get(mailbox.id);
    if (!flight) {
      flight = this.store
        .refreshed(mailbox, stale, (refreshToken) => this.refresh(refreshToken, signal))
        .finally(() => this.pending.delete(mailbox.id));
      this.pending.set(mailbox.id, flight);
    }
    const fresh = await flight;
    this.cache.set(mailbox.id, fresh);
    return fresh.accessToken!;
  }

  forget(mailboxId?: string) {
    if (mailboxId) this.cache.delete(mailboxId);
    else this.cache.clear();
  }
}
