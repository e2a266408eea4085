import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { MallocTrim } from './malloc-trim.js';

export const MALLOC_TRIM = Symbol('MALLOC_TRIM');

/**
 * Every MEMORY_TRIM_MS, hands the memory malloc keeps after it was freed back to the system
 * (docs/adr/011). Without it a process's RSS stays near its highest point: measured, 192 MB taken
 * by malloc with 23 MB in use after a campaign, and the render threads' arenas kept after they stop.
 * One trim at a time, on a thread of libuv's pool; with no native binding (not glibc, or no compiler
 * at install) it does nothing.
 */
@Injectable()
export class MemoryTrimmer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(MemoryTrimmer.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  /** Trims done, and how many released memory. */
  readonly stats = { trims: 0, released: 0 };

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    @Inject(MALLOC_TRIM) private readonly trim: MallocTrim | null,
  ) {}

  onModuleInit() {
    if (!this.config.memoryTrimMs) return;
    if (!this.trim) {
      this.logger.log(
        'malloc_trim is not available here (native/malloc-trim not built): memory is not trimmed',
      );
      return;
    }
    this.timer = setInterval(() => void this.trimNow(), this.config.memoryTrimMs);
    this.timer.unref();
  }

  /** One trim, unless one is still running (then that one). */
  trimNow(): Promise<unknown> {
    if (!this.trim) return Promise.resolve(false);
    this.running ??= this.trim()
      .then((released) => {
        this.stats.trims++;
        if (released) this.stats.released++;
      })
      .catch((e: unknown) => this.logger.warn(`malloc_trim failed: ${String(e)}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async onApplicationShutdown() {
    clearInterval(this.timer);
    await this.running;
  }
}
