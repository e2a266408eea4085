import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { CAMPAIGN_SENDING, type CampaignSendingEvent } from '../prisma/campaign-sending.extension.js';
import { CAMPAIGN_SCHEDULED, type CampaignScheduledEvent } from '../campaigns/campaigns.service.js';
import { DispatchService } from './dispatch/dispatch.service.js';

/** Campaign lifecycle events that start delivery work. */
@Injectable()
export class CampaignSendingListener {
  constructor(private readonly dispatch: DispatchService) {}

  /** The trigger: a campaign became SENDING (committed), so dispatch it. */
  @OnEvent(CAMPAIGN_SENDING, { promisify: true })
  onSending(event: CampaignSendingEvent) {
    return this.dispatch.enqueue(event.campaignId);
  }

  /** A start time was set: a delayed job starts it on time (the runner's poll is the safety net). */
  @OnEvent(CAMPAIGN_SCHEDULED, { promisify: true })
  onScheduled(event: CampaignScheduledEvent) {
    return this.dispatch.enqueueStart(event.campaignId, event.scheduledAt);
  }
}
