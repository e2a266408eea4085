import { Module, type DynamicModule } from '@nestjs/common';
import { runsWorker, type AppRole } from '../config/config.js';
import { ProvidersModule } from '../providers/providers.module.js';
import { DeliverySources } from './delivery-sources.js';
import { DeliveryService } from './delivery.service.js';
import { DispatchService } from './dispatch/dispatch.service.js';
import { EngagementService } from './engagement/engagement.service.js';
import { DeliveryInboundSink } from './inbound/delivery-inbound.sink.js';
import { SandboxAnswerController } from './inbound/sandbox/sandbox-answer.controller.js';
import { SandboxInboundResolver } from './inbound/sandbox/sandbox-inbound.resolver.js';
import { SandboxInboundService } from './inbound/sandbox/sandbox-inbound.service.js';
import { TrackingLinks } from './links/tracking-links.js';
import { DeliveryQueues } from './queues.js';
import { RecoveryService } from './recovery/recovery.service.js';
import { BatchSender } from './send/batch-sender.js';
import { ContentCache } from './send/content-cache.js';
import { MailboxActions } from './send/mailbox-actions.js';
import { OutcomeRecorder } from './send/outcome-recorder.js';
import { Renderer } from './send/renderer.js';
import { DeliveryWorker } from './worker/delivery.worker.js';
import { WorkerLease } from './worker/worker-lease.js';

/**
 * The one delivery pipeline (docs/adr/005): the outbound ledger, dispatch, sending, recording,
 * recovery, the links put in messages, and the inbound sink that turns replies and bounces into
 * events (docs/adr/007). Campaigns, sequences and test emails feed it through
 * `DeliveryService` and hear back through `DeliverySources`; it imports none of them.
 */
@Module({})
export class DeliveryModule {
  static register(role: AppRole): DynamicModule {
    return {
      module: DeliveryModule,
      global: true,
      imports: [DeliveryQueues, ProvidersModule],
      controllers: [SandboxAnswerController],
      providers: [
        DeliveryService,
        DeliverySources,
        DispatchService,
        EngagementService,
        DeliveryInboundSink,
        SandboxInboundService,
        SandboxInboundResolver,
        BatchSender,
        Renderer,
        ContentCache,
        OutcomeRecorder,
        MailboxActions,
        RecoveryService,
        TrackingLinks,
        WorkerLease,
        ...(runsWorker(role) ? [DeliveryWorker] : []),
      ],
      exports: [
        DeliveryService,
        DeliverySources,
        RecoveryService,
        TrackingLinks,
        EngagementService,
        DeliveryInboundSink,
      ],
    };
  }
}
