import { Injectable, Logger } from '@nestjs/common';
import type { InboundMail } from '../mail-provider.port.js';
import type { InboundMailbox, InboundSink } from '../inbound-sink.port.js';

/**
 * The sink used until delivery registers its own: it records nothing. Mailboxes are still
 * polled (so cursors stay fresh), but replies and bounces are dropped — a log line says so.
 */
@Injectable()
export class DiscardingInboundSink implements InboundSink {
  private readonly logger = new Logger(DiscardingInboundSink.name);

  async record(mailbox: InboundMailbox, mails: InboundMail[]): Promise<void> {
    this.logger.debug(
      `discarded ${mails.length} inbound message(s) of ${mailbox.email}: no inbound sink is registered`,
    );
  }
}
