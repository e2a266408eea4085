import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { loadConfig, type AppRole, type ResolvedConfig } from '../../src/config/config.js';
import type { Clock } from '../../src/common/clock/clock.js';
import { createApp } from '../../src/main.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { freshDatabase } from './test-db.js';

export interface TestApp {
  app: INestApplication;
  config: ResolvedConfig;
  url: string;
  prisma: PrismaService;
  close(): Promise<void>;
}

/** Configuration for a test process: its own database and queue prefix on the shared servers. */
export async function testConfig(
  overrides: Omit<Partial<ResolvedConfig>, 'jwt'> & { jwt?: Partial<ResolvedConfig['jwt']> } = {},
  role: AppRole = 'all',
  env: Record<string, string> = {},
): Promise<ResolvedConfig> {
  const base = loadConfig({ NODE_ENV: 'test', APP_ROLE: role, LOG_LEVEL: 'warn', ...env });
  return {
    ...base,
    databaseUrl: overrides.databaseUrl ?? (await freshDatabase()),
    redisUrl: process.env.TEST_REDIS_URL!,
    encryptionKey: Buffer.alloc(32, 3),
    queue: { ...base.queue, prefix: `t${randomBytes(4).toString('hex')}` },
    seedDemo: false,
    ...overrides,
    jwt: { ...base.jwt, secret: 'test-secret-test-secret-test-secret-0123', ...overrides.jwt },
  };
}

/**
 * The real engine on a random loopback port, against real PostgreSQL and Redis. `options.env` is
 * read by loadConfig as the process environment would be (e.g. NODE_ENV=production).
 */
export async function startTestApp(
  overrides: Parameters<typeof testConfig>[0] = {},
  role: AppRole = 'all',
  options: { clock?: Clock; env?: Record<string, string> } = {},
): Promise<TestApp> {
  const config = await testConfig(overrides, role, options.env);
  const app = await createApp(config, options);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  config.publicUrl = url;
  return { app, config, url, prisma: app.get(PrismaService), close: () => app.close() };
}

/** What loadConfig needs to accept NODE_ENV=production: strong, freshly generated secrets. */
export function productionEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    JWT_SECRET: randomBytes(48).toString('base64url'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ...extra,
  };
}
