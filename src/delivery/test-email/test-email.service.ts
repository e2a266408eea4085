import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { badInput, conflict, isUuid, notFound, notFoundField } from '../../common/errors/domain-error.js';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { MailError } from '../../providers/mail-errors.js';
import { ProviderRegistry } from '../../providers/provider-registry.js';
import { SenderAccountsService } from '../../providers/sender-accounts.service.js';
import { reserveMailboxSlot } from '../send/mailbox-slot.js';
import { buildMessage, messageIdFor, templateContext } from '../send/message-builder.js';

const SAMPLE_CONTACT = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  company: 'Example Ltd',
  timezone: null,
  attributes: {},
};

/**
 * Sends one preview of a campaign, rendered for a chosen contact (or a sample one), to any
 * address, from the campaign's first mailbox. It is not a recipient of the campaign, is never
 * tracked, and counts against the mailbox's daily cap.
 */
@Injectable()
export class TestEmailService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly mailboxes: SenderAccountsService,
    private readonly providers: ProviderRegistry,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  async send(organizationId: string, campaignId: string, to: string, contactId?: string) {
    // One read, scoped to the organization: content, attachments and the first mailbox.
    const campaign = isUuid(campaignId)
      ? await this.prisma.db.campaign.findFirst({
          where: { id: campaignId, organizationId },
          include: { attachments: true, senderAccounts: { orderBy: { position: 'asc' }, take: 1 } },
        })
      : null;
    if (!campaign) throw notFound('Campaign', campaignId);
    const contact = contactId
      ? await this.prisma.db.contact.findFirst({ where: { id: contactId, organizationId } })
      : { email: to, ...SAMPLE_CONTACT };
    if (!contact) throw notFoundField('contactId', `Contact ${contactId} was not found`);
    const senderAccountId = campaign.senderAccounts[0].senderAccountId;
    const slot = await this.prisma.transaction((tx) =>
      reserveMailboxSlot(tx, senderAccountId, { oneOff: true }),
    );
    if (!slot.ok) {
      throw conflict(
        slot.reason === 'inactive'
          ? `Sender account ${slot.email} is ${slot.status}`
          : 'The mailbox has reached its daily cap; try again tomorrow',
      );
    }
    const mailbox = await this.mailboxes.loadMailbox(organizationId, senderAccountId);
    const unsubscribeUrl = `${this.config.publicUrl}/u/preview`;
    const messageId = messageIdFor('s', randomUUID(), mailbox.email);
    const { raw, subject } = await buildMessage(
      { ...campaign, subject: `[Test] ${campaign.subject}` },
      templateContext(contact, campaign, mailbox.email, unsubscribeUrl),
      { messageId, fromEmail: mailbox.email, to, unsubscribeUrl },
    );
    try {
      await this.providers
        .get(mailbox.provider)
        .send(mailbox, { messageId, from: mailbox.email, to, subject, raw });
    } catch (e) {
      if (e instanceof MailError) throw badInput('to', `The test email was not sent: ${e.message}`);
      throw e;
    }
    return { messageId, to, from: mailbox.email, subject };
  }
}
