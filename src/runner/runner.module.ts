import { Module, type DynamicModule } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module.js';
import { runsScheduler, type AppRole } from '../config/config.js';
import { RunnerQueue, StartJobProcessor, StartJobs } from './runner.queue.js';
import { RunnerResolver } from './runner.resolver.js';
import { RunnerScheduler } from './runner.scheduler.js';
import { RunnerService } from './runner.service.js';

/**
 * Promotes scheduled campaigns (a delayed job at each start time, a poll as the safety net),
 * heals stuck work and finishes settled campaigns; the clock runs only in scheduler processes.
 */
@Module({})
export class RunnerModule {
  static register(role: AppRole): DynamicModule {
    return {
      module: RunnerModule,
      imports: [CampaignsModule, RunnerQueue],
      providers: [
        RunnerService,
        RunnerResolver,
        StartJobs,
        ...(runsScheduler(role) ? [RunnerScheduler, StartJobProcessor] : []),
      ],
    };
  }
}
