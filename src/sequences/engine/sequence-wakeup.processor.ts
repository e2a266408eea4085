import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bull';
import { SequenceEngine } from './sequence-engine.js';
import { SEQUENCES_QUEUE } from './sequence-wakeups.js';

/** Runs the engine when a wake-up job is due (worker and scheduler processes). */
@Injectable()
export class SequenceWakeupProcessor implements OnModuleInit {
  private readonly logger = new Logger(SequenceWakeupProcessor.name);

  constructor(
    @InjectQueue(SEQUENCES_QUEUE) private readonly queue: Queue,
    private readonly engine: SequenceEngine,
  ) {}

  onModuleInit() {
    this.queue
      .process('due', 1, async () => {
        await this.engine.runDue();
      })
      .catch(
        (e: unknown) => e instanceof Error && this.logger.error(`sequences queue stopped: ${e.message}`),
      );
  }
}
