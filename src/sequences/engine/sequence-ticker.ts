import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { SequenceEngine } from './sequence-engine.js';
import { SequenceHealer } from './sequence-healer.js';

const INTERVAL = 'sequence-engine-tick';

/**
 * The engine's safety net: a tick every RUNNER_TICK_MS in scheduler processes runs the claim loop
 * (steps whose wake-up job was lost) and replays delivery events sequences missed. Steps normally
 * run at their time through `SequenceWakeups`. Ticks never overlap within a process; across
 * processes the claims share the work.
 */
@Injectable()
export class SequenceTicker implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SequenceTicker.name);
  private running: Promise<void> | null = null;

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly engine: SequenceEngine,
    private readonly healer: SequenceHealer,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  onModuleInit() {
    this.registry.addInterval(
      INTERVAL,
      setInterval(() => void this.tick(), this.config.runnerTickMs),
    );
  }

  /** Stops ticking and lets a tick in hand finish before the connections close. */
  async onModuleDestroy() {
    if (this.registry.doesExist('interval', INTERVAL)) this.registry.deleteInterval(INTERVAL);
    await this.running;
  }

  tick(): Promise<void> {
    this.running ??= this.engine
      .runDue()
      .then(() => this.healer.replayMissing())
      .then(() => undefined)
      .catch((e: unknown) => this.logger.error(`sequence tick failed: ${String(e)}`))
      .finally(() => (this.running = null));
    return this.running;
  }
}
