import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';
import type { ResolvedConfig } from '../../src/config/config.js';
import type { DeliveryEvent } from '../../src/delivery/delivery.contract.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { SEQUENCE_DELIVERY } from '../../src/sequences/delivery/sequence-delivery.port.js';
import { SequenceDeliveryHandler } from '../../src/sequences/engine/sequence-delivery.handler.js';
import { SequenceEngine } from '../../src/sequences/engine/sequence-engine.js';
import { SequenceWakeupProcessor } from '../../src/sequences/engine/sequence-wakeup.processor.js';
import { RecordingSequenceDelivery } from './fake-sequence-delivery.js';
import { ManualClock } from './manual-clock.js';
import { testConfig } from './test-app.js';

export interface SequenceTestApp {
  app: INestApplication;
  url: string;
  config: ResolvedConfig;
  prisma: PrismaService;
  clock: ManualClock;
  delivery: RecordingSequenceDelivery;
  engine: SequenceEngine;
  /** Delivery reporting events, as it will inside its outcome transaction. */
  report(events: DeliveryEvent[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real engine over HTTP with a manual clock and the recording delivery fake bound to the
 * sequences' delivery port (a DI override of the real delivery). The tick is far away unless asked
 * for and wake-up jobs do not run, so a test drives the engine itself.
 */
export async function startSequenceApp(
  clock: ManualClock,
  overrides: Partial<ResolvedConfig> = {},
  delivery = new RecordingSequenceDelivery(),
): Promise<SequenceTestApp> {
  const config = await testConfig({ runnerTickMs: 600_000, ...overrides });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(config, clock)] })
    .overrideProvider(SEQUENCE_DELIVERY)
    .useValue(delivery)
    // The test drives the engine: no wake-up job runs it behind the test's back.
    .overrideProvider(SequenceWakeupProcessor)
    .useValue({ onModuleInit() {} })
    .compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  const prisma = app.get(PrismaService);
  const handler = app.get(SequenceDeliveryHandler);
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    config,
    prisma,
    clock,
    delivery,
    engine: app.get(SequenceEngine),
    report: (events) => prisma.transaction((tx) => handler.onEvents(tx, events)),
    close: () => app.close(),
  };
}
