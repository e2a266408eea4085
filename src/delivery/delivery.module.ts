import { Module, type DynamicModule } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module.js';
import { runsWorker, type AppRole } from '../config/config.js';
import { ProvidersModule } from '../providers/providers.module.js';
import { TrackingModule } from '../tracking/tracking.module.js';
import { CampaignSendingListener } from './campaign-sending.listener.js';
import { DeliveryWorker } from './delivery.worker.js';
import { DispatchService } from './dispatch/dispatch.service.js';
import { DeliveryQueues } from './queues.js';
import { RecoveryService } from './recovery.service.js';
import { CampaignSendService } from './send/campaign-send.service.js';
import { SendQueue } from './send/send-queue.js';
import { TestEmailResolver } from './test-email/test-email.resolver.js';
import { TestEmailService } from './test-email/test-email.service.js';

/** The one delivery pipeline: dispatch → send, shared by campaigns and (later) sequences. */
@Module({})
export class DeliveryModule {
  static register(role: AppRole): DynamicModule {
    return {
      module: DeliveryModule,
      // Registered once by AppModule; the runner (and later sequences) use its exports.
      global: true,
      imports: [DeliveryQueues, CampaignsModule, ProvidersModule, TrackingModule],
      providers: [
        DispatchService,
        SendQueue,
        CampaignSendService,
        RecoveryService,
        CampaignSendingListener,
        TestEmailService,
        TestEmailResolver,
        ...(runsWorker(role) ? [DeliveryWorker] : []),
      ],
      exports: [DispatchService, RecoveryService, SendQueue],
    };
  }
}
