import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { badInput, isUuid, notFound, notFoundField } from '../../common/errors/domain-error.js';
import { DeliveryService } from '../../delivery/delivery.service.js';
import { PrismaService } from '../../prisma/prisma.service.js';

const SAMPLE_CONTACT = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  company: 'Example Ltd',
  timezone: null,
  attributes: {},
};

/**
 * Sends one preview of a campaign, rendered for a chosen contact (or a sample one), to any
 * address, from the campaign's first mailbox, through the same delivery pipeline as the campaign
 * itself (as a TEST source: one attempt, no tracking, sent at once while the caller waits). It is
 * not a recipient of the campaign and counts against the mailbox's daily cap; a failed one gives
 * its slot back.
 */
@Injectable()
export class TestEmailService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly delivery: DeliveryService,
  ) {}

  async send(organizationId: string, campaignId: string, to: string, contactId?: string) {
    const campaign = isUuid(campaignId)
      ? await this.prisma.db.campaign.findFirst({
          where: { id: campaignId, organizationId },
          include: {
            attachments: { orderBy: [{ position: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }] },
            senderAccounts: { orderBy: { position: 'asc' }, take: 1, include: { senderAccount: true } },
          },
        })
      : null;
    if (!campaign) throw notFound('Campaign', campaignId);
    const contact = contactId
      ? await this.prisma.db.contact.findFirst({
          where: { id: contactId, organizationId },
          select: { id: true },
        })
      : null;
    if (contactId && !contact) throw notFoundField('contactId', `Contact ${contactId} was not found`);
    const mailbox = campaign.senderAccounts[0].senderAccount;
    const messageId = await this.prisma.transaction(async (tx) => {
      const group = { id: organizationId, organizationId, sourceType: 'TEST' as const };
      await this.delivery.openGroup(tx, { ...group, maxAttempts: 1 });
      const contentId = await this.delivery.createContent(
        tx,
        {
          organizationId,
          subject: `[Test] ${campaign.subject}`,
          htmlBody: campaign.htmlBody,
          textBody: campaign.textBody,
          fromName: campaign.fromName,
          replyTo: campaign.replyTo,
          trackOpens: false,
          trackClicks: false,
          variables: { campaign: { name: campaign.name } },
        },
        campaign.attachments.map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          data: a.content,
        })),
      );
      const ids = await this.delivery.handOver(tx, group, [
        {
          sourceRef: randomUUID(),
          contactId: contact?.id ?? null,
          contactData: contact ? null : SAMPLE_CONTACT,
          email: to,
          senderAccountId: mailbox.id,
          contentId,
        },
      ]);
      return [...ids.values()][0];
    });
    const sent = await this.delivery.sendNow(messageId);
    if (sent.status !== 'SENT') {
      throw badInput('to', `The test email was not sent: ${sent.lastError ?? sent.status.toLowerCase()}`);
    }
    return { messageId: sent.messageId!, to, from: mailbox.email, subject: sent.subject ?? '' };
  }
}
