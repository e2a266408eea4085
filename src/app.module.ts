import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { GraphQLModule, GraphQLSchemaHost } from '@nestjs/graphql';
import { ScheduleModule } from '@nestjs/schedule';
import { AuthModule } from './auth/auth.module.js';
import { ClockModule, type Clock } from './common/clock/clock.js';
import { GraphQLExceptionFilter } from './common/errors/graphql-exception.filter.js';
import { createValidationPipe } from './common/errors/validation.js';
import { graphqlOptions } from './common/graphql/graphql-options.js';
import { HealthController } from './common/health.controller.js';
import { loadMallocTrim } from './common/memory/malloc-trim.js';
import { MALLOC_TRIM, MemoryTrimmer } from './common/memory/memory-trimmer.js';
import { PlaygroundController } from './common/playground/playground.controller.js';
import { runsApi, runsScheduler, type ResolvedConfig } from './config/config.js';
import { APP_CONFIG, ConfigModule } from './config/config.module.js';
import { BullRootModule } from './delivery/queues.js';
import { PrismaModule } from './prisma/prisma.module.js';
import { ProvidersModule } from './providers/providers.module.js';
import { InboundPollerModule } from './providers/inbound/inbound-poller.module.js';
import { CampaignsModule } from './campaigns/campaigns.module.js';
import { DeliveryModule } from './delivery/delivery.module.js';
import { DeliveryInboundSink } from './delivery/inbound/delivery-inbound.sink.js';
import { RunnerModule } from './runner/runner.module.js';
import { RecipientsModule } from './recipients/recipients.module.js';
import { TrackingModule } from './tracking/tracking.module.js';
import { PubSubModule } from './common/pubsub/pubsub.module.js';
import { SequencesModule } from './sequences/sequences.module.js';

/**
 * The engine as one process of a given role: `api` serves GraphQL, `worker` runs the queue
 * processors, `scheduler` runs the runner's cron jobs, `all` does everything.
 */
@Module({})
export class AppModule {
  static register(config: ResolvedConfig, clock?: Clock): DynamicModule {
    const api = runsApi(config.role);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule.forRoot(clock),
        EventEmitterModule.forRoot(),
        PrismaModule,
        PubSubModule,
        BullRootModule,
        AuthModule,
        RecipientsModule,
        ProvidersModule,
        // Replies and bounces the poller fetches are recorded by delivery (docs/adr/007).
        InboundPollerModule.register({ sink: { useExisting: DeliveryInboundSink } }),
        CampaignsModule,
        SequencesModule.register(config.role),
        DeliveryModule.register(config.role),
        RunnerModule.register(config.role),
        TrackingModule,
        ...(runsScheduler(config.role) ? [ScheduleModule.forRoot()] : []),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          inject: [APP_CONFIG, GraphQLSchemaHost],
          useFactory: (c: ResolvedConfig, host: GraphQLSchemaHost) => graphqlOptions(c, host),
        }),
      ],
      controllers: [HealthController, ...(api && config.graphql.playground ? [PlaygroundController] : [])],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: GraphQLExceptionFilter },
        { provide: MALLOC_TRIM, useFactory: loadMallocTrim },
        MemoryTrimmer,
      ],
    };
  }
}
