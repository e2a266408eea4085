import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { Public } from './auth/public.js';
import { PrismaService } from '../prisma/prisma.service.js';

/** Liveness and readiness for load balancers: 200 when PostgreSQL answers. */
@Controller('health')
export class HealthController {
  constructor(private readonly prisma: PrismaService) {}

  @Public()
  @Get()
  async check() {
    try {
      await this.prisma.db.$queryRaw`SELECT 1`;
      return { status: 'ok' };
    } catch {
      throw new ServiceUnavailableException({ status: 'error', database: 'unreachable' });
    }
  }
}
