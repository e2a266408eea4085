import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { CAMPAIGN_SENDING, type CampaignSendingEvent } from '../prisma/campaign-sending.extension.js';
import { DispatchService } from './dispatch/dispatch.service.js';

/** The trigger's listener: a campaign became SENDING (committed), so dispatch it. */
@Injectable()
export class CampaignSendingListener {
  constructor(private readonly dispatch: DispatchService) {}

  @OnEvent(CAMPAIGN_SENDING, { promisify: true })
  onSending(event: CampaignSendingEvent) {
    return this.dispatch.enqueue(event.campaignId);
  }
}
