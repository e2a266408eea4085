import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { ResolvedConfig } from '../../config/config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { DB_NOW } from '../ledger/db-time.js';

/**
 * This process's lease on the messages it claims: a row with a heartbeat on the database clock.
 * When the heartbeat is older than DELIVERY_STUCK_MS the process is taken for dead and the
 * recovery sweep settles its messages (retried if they never reached the provider, reconciled if
 * they may have). A live process, however slow its provider, keeps its messages.
 */
@Injectable()
export class WorkerLease implements OnModuleInit, BeforeApplicationShutdown {
  readonly id = randomUUID();
  private readonly logger = new Logger(WorkerLease.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /** How often the heartbeat beats: several times within the stuck time. */
  get intervalMs() {
    return Math.max(250, Math.min(5000, Math.floor(this.config.delivery.stuckMs / 4)));
  }

  async onModuleInit() {
    await this.prisma.db.$executeRaw`
      INSERT INTO "DeliveryWorker" (id, host, pid, "startedAt", "heartbeatAt")
      VALUES (${this.id}::uuid, ${hostname()}, ${process.pid}, ${DB_NOW}, ${DB_NOW})`;
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
    this.timer.unref();
  }

  private async beat() {
    try {
      await this.prisma.db.$executeRaw`
        INSERT INTO "DeliveryWorker" (id, host, pid, "startedAt", "heartbeatAt")
        VALUES (${this.id}::uuid, ${hostname()}, ${process.pid}, ${DB_NOW}, ${DB_NOW})
        ON CONFLICT (id) DO UPDATE SET "heartbeatAt" = EXCLUDED."heartbeatAt"`;
    } catch (e) {
      this.logger.warn(`heartbeat failed: ${String(e)}`);
    }
  }

  async beforeApplicationShutdown() {
    clearInterval(this.timer);
    // Gone cleanly: whatever it still held (nothing, after a graceful close) is free at once.
    await this.prisma.db.deliveryWorker.deleteMany({ where: { id: this.id } }).catch(() => undefined);
  }
}
