import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { CampaignLifecycleService } from './campaign-lifecycle.service.js';
import { CampaignProgressResolver } from './campaign-progress.resolver.js';
import { CampaignProgressService } from './campaign-progress.service.js';
import { CampaignsResolver } from './campaigns.resolver.js';
import { CampaignsService } from './campaigns.service.js';

/** Campaign content, the lifecycle state machine, control mutations and live progress. */
@Module({
  imports: [AuthModule],
  providers: [
    CampaignsService,
    CampaignLifecycleService,
    CampaignProgressService,
    CampaignsResolver,
    CampaignProgressResolver,
  ],
  exports: [CampaignsService, CampaignLifecycleService, CampaignProgressService],
})
export class CampaignsModule {}
