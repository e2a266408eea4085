import { Inject, Injectable } from '@nestjs/common';
import { HostGuard } from '../common/net/host-guard.js';
import type { ResolvedConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';

/**
 * The HostGuard for mailbox servers (SMTP now, IMAP next): public addresses only, plus what the
 * operator put in MAILBOX_HOST_ALLOWLIST. Adapters connect to the address it returns.
 */
@Injectable()
export class MailboxHostGuard extends HostGuard {
  constructor(@Inject(APP_CONFIG) config: Pick<ResolvedConfig, 'mailboxHostAllowlist'>) {
    super(config.mailboxHostAllowlist);
  }
}
