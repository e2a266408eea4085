import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module.js';
import { RecipientsModule } from '../recipients/recipients.module.js';
import { TrackingLinks } from './tracking-links.js';
import { TrackingController } from './tracking.controller.js';
import { TrackingService } from './tracking.service.js';

/** Open pixel, unsubscribe (RFC 8058) and the signed links that point at them. */
@Module({
  imports: [CampaignsModule, RecipientsModule],
  controllers: [TrackingController],
  providers: [TrackingLinks, TrackingService],
  exports: [TrackingLinks],
})
export class TrackingModule {}
