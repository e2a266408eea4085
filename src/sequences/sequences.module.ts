import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { runsScheduler, runsWorker, type AppRole } from '../config/config.js';
import { SEQUENCE_DELIVERY } from './delivery/sequence-delivery.port.js';
import { LedgerSequenceDelivery } from './delivery/ledger-sequence-delivery.js';
import { EnrollContacts } from './enroll-contacts.js';
import { EnrollmentsResolver } from './enrollments.resolver.js';
import { EnrollmentsService } from './enrollments.service.js';
import { EnrollmentStepper } from './engine/enrollment-stepper.js';
import { SequenceDeliveryHandler } from './engine/sequence-delivery.handler.js';
import { SequenceEngine } from './engine/sequence-engine.js';
import { SequenceHealer } from './engine/sequence-healer.js';
import { SequenceTicker } from './engine/sequence-ticker.js';
import { SequenceWakeupProcessor } from './engine/sequence-wakeup.processor.js';
import { SequencesQueue, SequenceWakeups } from './engine/sequence-wakeups.js';
import { VersionGraphs } from './engine/version-graphs.js';
import { MoveEnrollments } from './move-enrollments.js';
import { SequenceAnalyticsService } from './sequence-analytics.service.js';
import { SequenceProgressService } from './sequence-progress.service.js';
import { SequenceInsightsResolver } from './sequence-insights.resolver.js';
import { SequenceLifecycleService } from './sequence-lifecycle.service.js';
import { SequencesResolver } from './sequences.resolver.js';
import { SequencesService } from './sequences.service.js';
import { SimulationService } from './simulation.service.js';

/**
 * Sequences: definitions and immutable versions, enrollments, the step engine (claims, the
 * delivery event handler) and the dry run. Sends go through `SEQUENCE_DELIVERY`, bound to the one
 * delivery pipeline (`LedgerSequenceDelivery`); delivery reports back to `SequenceDeliveryHandler`.
 */
@Module({})
export class SequencesModule {
  static register(role: AppRole): DynamicModule {
    return {
      module: SequencesModule,
      imports: [AuthModule, SequencesQueue],
      providers: [
        SequenceWakeups,
        ...(runsScheduler(role) || runsWorker(role) ? [SequenceWakeupProcessor] : []),
        { provide: SEQUENCE_DELIVERY, useClass: LedgerSequenceDelivery },
        SequencesService,
        SequenceLifecycleService,
        EnrollContacts,
        EnrollmentsService,
        MoveEnrollments,
        SequenceAnalyticsService,
        SequenceProgressService,
        SimulationService,
        VersionGraphs,
        EnrollmentStepper,
        SequenceEngine,
        SequenceDeliveryHandler,
        SequenceHealer,
        SequencesResolver,
        EnrollmentsResolver,
        SequenceInsightsResolver,
        ...(runsScheduler(role) ? [SequenceTicker] : []),
      ],
      exports: [SequenceEngine, SequenceDeliveryHandler, SEQUENCE_DELIVERY],
    };
  }
}
