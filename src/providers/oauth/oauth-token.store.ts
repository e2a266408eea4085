import { Inject, Injectable } from '@nestjs/common';
import { CredentialsCipher } from '../../common/crypto/credentials-cipher.js';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { MailboxAuthError } from '../mail-errors.js';
import type { MailboxContext } from '../mail-provider.port.js';
import { credentialsContext } from '../sender-account-credentials.js';
import {
  isFresh,
  parseOAuthCredentials,
  withTokens,
  type OAuthCredentials,
  type TokenSet,
} from './oauth-credentials.js';

/**
 * Refreshes a mailbox's access token at most once across all processes. Under a PostgreSQL
 * advisory lock per mailbox it re-reads the stored credentials: when another process already
 * stored a fresh token (other than the one that just failed), that one is used; otherwise the
 * refresh runs and its result (with Microsoft's rotated refresh token) is stored encrypted with
 * the mailbox's other credentials before the lock is released.
 *
 * Only the advisory lock is held, never the SenderAccount row lock, for the duration of the
 * refresh call: callers must not hold that row's lock across a provider call.
 */
@Injectable()
export class OAuthTokenStore {
  constructor(
    private readonly prisma: PrismaService,
    private readonly cipher: CredentialsCipher,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /**
   * Fresh credentials for the mailbox. `stale` is the access token the caller saw fail or expire
   * (undefined when it had none). A mailbox not stored yet (being connected) is refreshed without
   * persisting.
   */
  async refreshed(
    mailbox: MailboxContext,
    stale: string | undefined,
    refresh: (refreshToken: string) => Promise<TokenSet>,
  ): Promise<OAuthCredentials> {
    return this.prisma.transaction(
      async (tx) => {
        const key = `oauth-refresh:${mailbox.id}`;
        await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))::text`;
        const rows = await tx.$queryRaw<{ encryptedCredentials: string | null; status: string }[]>`
          SELECT "encryptedCredentials", status::text FROM "SenderAccount"
          WHERE id::text = ${mailbox.id} AND "organizationId"::text = ${mailbox.organizationId}`;
        const row = rows[0];
        if (row && !row.encryptedCredentials) {
          throw new MailboxAuthError('The mailbox was disconnected; reconnect it');
        }
        const current = row?.encryptedCredentials
          ? parseOAuthCredentials(
              this.cipher.decrypt(row.encryptedCredentials, credentialsContext(mailbox.organizationId)),
            )
          : parseOAuthCredentials(mailbox.credentials);
        if (isFresh(current) && current.accessToken !== stale) return current;
        const next = withTokens(current, await refresh(current.refreshToken));
        if (row) {
          await tx.$executeRaw`UPDATE "SenderAccount"
            SET "encryptedCredentials" = ${this.cipher.encrypt({ ...next }, credentialsContext(mailbox.organizationId))},
                "updatedAt" = now()
            WHERE id::text = ${mailbox.id}`;
        }
        return next;
      },
      { timeout: this.config.providers.timeoutMs + 10_000 },
    );
  }
}
