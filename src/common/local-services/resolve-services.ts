import path from 'node:path';
import { ConfigError, type AppConfig, type ResolvedConfig } from '../../config/config.js';
import { reusedDevelopmentSecrets } from '../../config/secret-strength.js';
import { startEmbeddedPostgres, type RunningService } from './embedded-postgres.js';
import { startLocalRedis } from './local-redis.js';
import { localSecrets, readLocalSecrets } from './local-secrets.js';

export interface ResolvedServices {
  config: ResolvedConfig;
  /** What was started here, to be stopped on shutdown (last started, first stopped). */
  started: { name: string; service: RunningService }[];
}

/**
 * Fills in what the configuration leaves unset: an embedded PostgreSQL and a local redis-server
 * under DATA_DIR, and development secrets. Configured URLs are used as they are; with both URLs
 * and both secrets given, nothing is read from or created under DATA_DIR (production aside, which
 * reads it to refuse development secrets). Throws ConfigError for development secrets in production.
 */
export async function resolveServices(
  config: AppConfig,
  log: (l: string) => void,
): Promise<ResolvedServices> {
  if (config.env === 'production') {
    // Production never generates secrets; it also refuses the ones generated for development.
    const problems = reusedDevelopmentSecrets(config, readLocalSecrets(config.dataDir));
    if (problems.length) throw new ConfigError(problems);
  }
  const started: ResolvedServices['started'] = [];
  const needsDataDir = !config.databaseUrl || !config.redisUrl || !config.jwt.secret || !config.encryptionKey;
  const inTree = path.relative(process.cwd(), path.resolve(config.dataDir));
  if (needsDataDir && !inTree.startsWith('..') && !path.isAbsolute(inTree)) {
    log(
      `DATA_DIR (${config.dataDir}) is inside the working directory; keep secrets and data outside the project tree.`,
    );
  }
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      log(`DATABASE_URL is not set: starting embedded PostgreSQL on port ${config.embedded.postgresPort}…`);
      const pg = await startEmbeddedPostgres({
        dataDir: path.join(config.dataDir, 'postgres'),
        port: config.embedded.postgresPort,
        persistent: true,
      });
      started.push({ name: 'PostgreSQL', service: pg });
      databaseUrl = pg.url;
    }
    let redisUrl = config.redisUrl;
    if (!redisUrl) {
      log(`REDIS_URL is not set: starting redis-server on port ${config.embedded.redisPort}…`);
      const redis = await startLocalRedis({
        dataDir: path.join(config.dataDir, 'redis'),
        port: config.embedded.redisPort,
        persistent: true,
      });
      started.push({ name: 'Redis', service: redis });
      redisUrl = redis.url;
    }
    const secrets = !config.jwt.secret || !config.encryptionKey ? localSecrets(config.dataDir) : undefined;
    return {
      started,
      config: {
        ...config,
        databaseUrl,
        redisUrl,
        jwt: { ...config.jwt, secret: config.jwt.secret ?? secrets!.jwtSecret },
        encryptionKey: config.encryptionKey ?? Buffer.from(secrets!.encryptionKey, 'base64'),
      },
    };
  } catch (error) {
    await stopServices(started);
    throw error;
  }
}

export async function stopServices(started: ResolvedServices['started']) {
  for (const { service } of [...started].reverse()) await service.stop().catch(() => undefined);
}
