import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

interface ComposeService {
  ports?: (string | { host_ip?: string; published?: string | number })[];
  environment?: Record<string, string>;
  command?: string[] | string;
}

/**
 * Issue 6, points 2 and 9: the deployment files. docker-compose.yml published PostgreSQL and Redis
 * on every interface of the host with the password "postgres" and no Redis password, and the Docker
 * build context took .env files and local data.
 */
describe('deployment files', () => {
  const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  /** `${VAR:?message}`: compose refuses to start without the variable, so there is no default. */
  const REQUIRED_VARIABLE = /^\$\{[A-Z_]+:\?[^}]*\}$/;

  it.each(['postgres', 'redis'])('does not publish %s on all interfaces', (name) => {
    for (const port of compose.services[name].ports ?? []) {
      const hostIp = typeof port === 'string' ? port.split(':').slice(0, -2).join(':') : port.host_ip;
      expect(hostIp).toMatch(/^(127\.0\.0\.1|\[::1\])$/);
    }
  });

  it('gives PostgreSQL and Redis no default credentials', () => {
    expect(compose.services.postgres.environment?.POSTGRES_PASSWORD).toMatch(REQUIRED_VARIABLE);
    const command = compose.services.redis.command as string[];
    expect(command[command.indexOf('--requirepass') + 1]).toMatch(REQUIRED_VARIABLE);
    for (const service of ['api', 'worker', 'scheduler']) {
      const env = compose.services[service].environment!;
      for (const name of ['JWT_SECRET', 'ENCRYPTION_KEY']) expect(env[name]).toMatch(REQUIRED_VARIABLE);
      expect(env.DATABASE_URL).not.toMatch(/postgres:postgres@/);
      expect(env.REDIS_URL).toMatch(/^redis:\/\/:\$\{REDIS_PASSWORD/);
    }
  });

  it('keeps environment files, data and keys out of the Docker build context', () => {
    const ignored = readFileSync('.dockerignore', 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const pattern of ['.env', '.env.*', '.data', 'data', 'secrets.json', '*.pem', '*.key'])
      expect(ignored).toContain(pattern);
  });
});
