import { Injectable, Logger } from '@nestjs/common';
import { recordEvent, SYSTEM } from '../../common/events/event-log.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { SenderAccountsService } from '../../providers/sender-accounts.service.js';
import type { MailboxAction } from './outcomes.js';

/**
 * What a failure means for a whole mailbox: refused credentials disconnect it (its messages wait
 * for it to be reconnected; the sources say why), a spent quota pauses it until the provider's
 * window passes, a Retry-After until it has passed (dispatch claims nothing from it until then).
 */
@Injectable()
export class MailboxActions {
  private readonly logger = new Logger(MailboxActions.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly mailboxes: SenderAccountsService,
  ) {}

  async apply(organizationId: string, senderAccountId: string, action: MailboxAction) {
    if (action.type === 'disconnect') {
      if (await this.mailboxes.markDisconnected(organizationId, senderAccountId, action.reason)) {
        await recordEvent(
          this.prisma.db,
          organizationId,
          'mailbox.disconnected',
          SYSTEM('delivery'),
          {},
          {
            senderAccountId,
            reason: action.reason,
          },
        );
        this.logger.warn(`mailbox ${senderAccountId} disconnected: ${action.reason}`);
      }
      return;
    }
    // Never shortens a longer pause (a spent quota outlasts a throttle's Retry-After).
    await this.prisma.db.$executeRaw`
      UPDATE "SenderAccount"
      SET "pausedUntil" = GREATEST("pausedUntil", ${action.until}), "lastError" = ${action.reason.slice(0, 1000)}
      WHERE id = ${senderAccountId}::uuid AND "organizationId" = ${organizationId}::uuid`;
    this.logger.warn(
      `mailbox ${senderAccountId} paused until ${action.until.toISOString()}: ${action.reason}`,
    );
  }
}
