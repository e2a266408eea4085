import { Module, type DynamicModule } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module.js';
import { runsScheduler, type AppRole } from '../config/config.js';
import { RunnerResolver } from './runner.resolver.js';
import { RunnerScheduler } from './runner.scheduler.js';
import { RunnerService } from './runner.service.js';

/** Promotes scheduled campaigns and heals stuck work; the clock runs only in scheduler processes. */
@Module({})
export class RunnerModule {
  static register(role: AppRole): DynamicModule {
    return {
      module: RunnerModule,
      imports: [CampaignsModule],
      providers: [RunnerService, RunnerResolver, ...(runsScheduler(role) ? [RunnerScheduler] : [])],
    };
  }
}
