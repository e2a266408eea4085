import { Module, type DynamicModule, type InjectionToken, type ModuleMetadata } from '@nestjs/common';
import { INBOUND_SINK } from '../inbound-sink.port.js';
import { ProvidersModule } from '../providers.module.js';
import { DiscardingInboundSink } from './discard-inbound.sink.js';
import { InboundPollerService } from './inbound-poller.service.js';

export interface InboundPollerOptions {
  /**
   * The sink that records inbound mail, and the modules that provide it, e.g.
   * `{ imports: [DeliveryModule], useExisting: DeliveryInboundSink }`. Without it, inbound mail is
   * fetched and discarded (DiscardingInboundSink).
   */
  sink?: { imports?: ModuleMetadata['imports']; useExisting: InjectionToken };
}

/** The inbound poller, with the sink of the caller's choice. Polls only in worker processes. */
@Module({})
export class InboundPollerModule {
  static register(options: InboundPollerOptions = {}): DynamicModule {
    return {
      module: InboundPollerModule,
      imports: [ProvidersModule, ...(options.sink?.imports ?? [])],
      providers: [
        options.sink
          ? { provide: INBOUND_SINK, useExisting: options.sink.useExisting }
          : { provide: INBOUND_SINK, useClass: DiscardingInboundSink },
        InboundPollerService,
      ],
      exports: [InboundPollerService],
    };
  }
}
