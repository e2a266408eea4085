import { Module } from '@nestjs/common';
import { CampaignDeliveryHandler } from './campaign-delivery.handler.js';
import { AuthModule } from '../auth/auth.module.js';
import { CampaignLifecycleService } from './campaign-lifecycle.service.js';
import { CampaignProgressResolver } from './campaign-progress.resolver.js';
import { CampaignProgressService } from './campaign-progress.service.js';
import { CampaignsResolver } from './campaigns.resolver.js';
import { CampaignsService } from './campaigns.service.js';
import { TestEmailResolver } from './test-email/test-email.resolver.js';
import { TestEmailService } from './test-email/test-email.service.js';

/**
 * Campaign content, the lifecycle state machine, control mutations, live progress and test
 * emails. Campaigns are a source of the delivery pipeline (docs/adr/005): they hand their
 * recipients over and hear back through CampaignDeliveryHandler.
 */
@Module({
  imports: [AuthModule],
  providers: [
    CampaignsService,
    CampaignLifecycleService,
    CampaignProgressService,
    CampaignDeliveryHandler,
    CampaignsResolver,
    CampaignProgressResolver,
    TestEmailService,
    TestEmailResolver,
  ],
  exports: [CampaignsService, CampaignLifecycleService, CampaignProgressService],
})
export class CampaignsModule {}
