import { Injectable } from '@nestjs/common';
import { CampaignProgressService } from '../campaigns/campaign-progress.service.js';
import { recordEvent } from '../common/events/event-log.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { SuppressionsService } from '../recipients/suppressions.service.js';
import { TrackingLinks } from './tracking-links.js';

/** What recipients do with a message: open it, unsubscribe. Tokens are verified before anything is read. */
@Injectable()
export class TrackingService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly links: TrackingLinks,
    private readonly suppressions: SuppressionsService,
    private readonly progress: CampaignProgressService,
  ) {}

  /** Records the first open of a recipient (later opens are events only). Unknown tokens are ignored. */
  async open(token: string) {
    const recipient = await this.recipientOf(token);
    if (!recipient) return;
    const first = await this.prisma.transaction(async (tx) => {
      const { count } = await tx.campaignRecipient.updateMany({
        where: { id: recipient.id, openedAt: null },
        data: { openedAt: new Date() },
      });
      if (count)
        await tx.campaign.update({
          where: { id: recipient.campaignId },
          data: { openedCount: { increment: 1 } },
        });
      await recordEvent(
        tx,
        recipient.organizationId,
        'recipient.opened',
        { type: 'CONTACT', id: recipient.contactId },
        {
          campaignId: recipient.campaignId,
          recipientId: recipient.id,
        },
      );
      return count > 0;
    });
    if (first) this.progress.touch(recipient.organizationId, recipient.campaignId);
  }

  /** The address a token unsubscribes, for the confirmation page; null for an invalid token. */
  async describe(token: string) {
    return (await this.recipientOf(token))?.email ?? null;
  }

  /** Puts the address on the organization's suppression list (idempotent). False for an invalid token. */
  async unsubscribe(token: string, via: 'one-click' | 'page') {
    const recipient = await this.recipientOf(token);
    if (!recipient) return false;
    await this.suppressions.suppress(
      recipient.organizationId,
      recipient.email,
      'UNSUBSCRIBED',
      `Unsubscribed (${via})`,
    );
    await recordEvent(
      this.prisma.db,
      recipient.organizationId,
      'recipient.unsubscribed',
      { type: 'CONTACT', id: recipient.contactId },
      {
        campaignId: recipient.campaignId,
        recipientId: recipient.id,
      },
      { via },
    );
    this.progress.touch(recipient.organizationId, recipient.campaignId);
    return true;
  }

  private async recipientOf(token: string) {
    const id = this.links.verify(token);
    if (!id) return null;
    return this.prisma.db.campaignRecipient.findUnique({
      where: { id },
      select: { id: true, organizationId: true, campaignId: true, contactId: true, email: true },
    });
  }
}
