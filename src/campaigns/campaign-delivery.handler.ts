import { Injectable, type OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { DeliveryEvent, DeliverySourceHandler } from '../delivery/delivery.contract.js';
import { DeliverySources } from '../delivery/delivery-sources.js';
import { DeliveryService } from '../delivery/delivery.service.js';
import { CAMPAIGN_SENDING, type CampaignSendingEvent } from '../prisma/campaign-sending.extension.js';
import { CampaignLifecycleService } from './campaign-lifecycle.service.js';
import { CampaignProgressService } from './campaign-progress.service.js';

/**
 * How campaigns hear from delivery: after each recorded batch, a campaign with nothing left to
 * send is finished and its progress published. Its counts live in the delivery group, so nothing
 * needs to happen inside the recording transaction. The runner's sweep heals a missed reaction.
 */
@Injectable()
export class CampaignDeliveryHandler implements DeliverySourceHandler, OnModuleInit {
  readonly sourceType = 'CAMPAIGN' as const;

  constructor(
    private readonly sources: DeliverySources,
    private readonly delivery: DeliveryService,
    private readonly lifecycle: CampaignLifecycleService,
    private readonly progress: CampaignProgressService,
  ) {}

  onModuleInit() {
    this.sources.register(this);
  }

  async afterCommit(_events: DeliveryEvent[], campaignIds: string[]) {
    for (const id of campaignIds) {
      await this.lifecycle.finishIfDone(id);
      this.progress.touch(id);
    }
  }

  /** The trigger: a campaign became SENDING (committed), so delivery dispatches it now. */
  @OnEvent(CAMPAIGN_SENDING, { promisify: true })
  onSending(event: CampaignSendingEvent) {
    return this.delivery.dispatchNow(event.campaignId);
  }
}
