import { Inject, Injectable } from '@nestjs/common';
import type { MailProviderType } from '../generated/prisma/enums.js';
import { MAIL_PROVIDERS, type MailProvider } from './mail-provider.port.js';
import { providerNotAvailable } from './providers.errors.js';

/**
 * Picks the adapter of a mailbox's provider. The adapters come from DI (`MAIL_PROVIDERS`), so a
 * test replaces one with `overrideProvider(SmtpProvider)` or points the real one at a loopback fake.
 */
@Injectable()
export class ProviderRegistry {
  private readonly adapters: ReadonlyMap<MailProviderType, MailProvider>;

  constructor(@Inject(MAIL_PROVIDERS) adapters: MailProvider[]) {
    this.adapters = new Map(adapters.map((a) => [a.type, a]));
  }

  /** The adapter for `type`; BAD_USER_INPUT (field `provider`) for a provider not available yet. */
  get(type: MailProviderType): MailProvider {
    const adapter = this.adapters.get(type);
    if (!adapter) throw providerNotAvailable(type);
    return adapter;
  }

  /** Whether mailboxes of `type` can be connected in this build. */
  has(type: MailProviderType): boolean {
    return this.adapters.has(type);
  }
}
