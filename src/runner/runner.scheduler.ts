import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { ResolvedConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { CampaignLifecycleService } from '../campaigns/campaign-lifecycle.service.js';
import { RecoveryService } from '../delivery/recovery/recovery.service.js';
import { RunnerService } from './runner.service.js';

/**
 * The scheduler role's clock: every RUNNER_TICK_MS it promotes due campaigns, runs delivery's
 * recovery sweep and finishes campaigns with nothing left to send. It only claims and enqueues;
 * workers send. A tick never overlaps the previous one.
 */
@Injectable()
export class RunnerScheduler implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RunnerScheduler.name);
  private running = false;

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly runner: RunnerService,
    private readonly recovery: RecoveryService,
    private readonly lifecycle: CampaignLifecycleService,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  onModuleInit() {
    this.registry.addInterval(
      'runner-tick',
      setInterval(() => void this.tick(), this.config.runnerTickMs),
    );
  }

  onModuleDestroy() {
    if (this.registry.doesExist('interval', 'runner-tick')) this.registry.deleteInterval('runner-tick');
  }

  async tick() {
    if (this.running) return;
    this.running = true;
    try {
      await this.runner.promoteDue();
      await this.recovery.sweep();
      await this.lifecycle.finishSettled();
    } catch (e) {
      this.logger.error(`runner tick failed: ${String(e)}`);
    } finally {
      this.running = false;
    }
  }
}
