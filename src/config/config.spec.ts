import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ConfigError, loadConfig, loadDatabaseConfig } from './config.js';
import { reusedDevelopmentSecrets } from './secret-strength.js';

describe('loadConfig', () => {
  it('applies defaults for a bare local environment', () => {
    const c = loadConfig({});
    expect(c.role).toBe('all');
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.seedDemo).toBe(true);
    expect(c.databasePreparedStatements).toBe(true);
  });

  it('turns prepared statements off for a pooler that cannot keep them, and refuses a value that is not a yes or no', () => {
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'false' }).databasePreparedStatements).toBe(false);
    expect(() => loadConfig({ DATABASE_PREPARED_STATEMENTS: 'maybe' })).toThrow(
      /DATABASE_PREPARED_STATEMENTS/,
    );
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', APP_ROLE: 'boss', DATABASE_URL: 'mysql://x', ENCRYPTION_KEY: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'APP_ROLE', 'DATABASE_URL', 'ENCRYPTION_KEY'])
      expect(message).toContain(name);
  });

  it('requires secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET.*\n.*ENCRYPTION_KEY/s);
  });

  it('accepts a full production environment', () => {
    const c = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: randomBytes(48).toString('base64'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      DATABASE_URL: 'postgresql://u:p@db:5432/app',
      REDIS_URL: 'redis://cache:6379',
      APP_ROLE: 'worker',
    });
    expect(c.role).toBe('worker');
    expect(c.encryptionKey?.length).toBe(32);
    expect(c.graphql.playground).toBe(false);
    expect(c.graphql.introspection).toBe(false);
    expect(c.graphql.hideSchemaDetails).toBe(true);
    expect(c.seedDemo).toBe(false);
  });

  it('refuses development secrets in production: published, placeholder or not random', () => {
    const production = (jwt: string, key: Buffer) => () =>
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: jwt, ENCRYPTION_KEY: key.toString('base64') });
    const goodKey = randomBytes(32);
    const goodJwt = randomBytes(48).toString('base64');
    expect(production('test-secret-test-secret-test-secret-0123', goodKey)).toThrow(
      /JWT_SECRET: is a published test value/,
    );
    expect(production('change-me-change-me-change-me-change-me', goodKey)).toThrow(
      /JWT_SECRET: looks like a placeholder/,
    );
    expect(production('x'.repeat(40), goodKey)).toThrow(/JWT_SECRET: has too few distinct characters/);
    expect(production(goodJwt, Buffer.alloc(32, 7))).toThrow(/ENCRYPTION_KEY: is not random/);
    expect(production(goodJwt, goodKey)).not.toThrow();
    // The same values are fine for development and tests.
    expect(() =>
      loadConfig({ JWT_SECRET: 'x'.repeat(40), ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') }),
    ).not.toThrow();
  });

  it('refuses, in production, the secrets generated for development under DATA_DIR', () => {
    const dev = {
      jwtSecret: randomBytes(48).toString('base64url'),
      encryptionKey: randomBytes(32).toString('base64'),
    };
    const reused = {
      jwt: { secret: dev.jwtSecret },
      encryptionKey: Buffer.from(dev.encryptionKey, 'base64'),
    };
    expect(reusedDevelopmentSecrets(reused, dev)).toEqual([
      expect.stringMatching(/^JWT_SECRET: is the development secret/),
      expect.stringMatching(/^ENCRYPTION_KEY: is the development key/),
    ]);
    expect(
      reusedDevelopmentSecrets({ jwt: { secret: 'other' }, encryptionKey: randomBytes(32) }, dev),
    ).toEqual([]);
  });

  it('keeps data and development secrets outside the working tree by default', () => {
    expect(loadConfig({ HOME: '/home/ada' }).dataDir).toBe('/home/ada/.local/share/campaign-engine');
    expect(loadConfig({ XDG_DATA_HOME: '/data/ada', HOME: '/home/ada' }).dataDir).toBe(
      '/data/ada/campaign-engine',
    );
    expect(path.relative(process.cwd(), loadConfig({}).dataDir)).toMatch(/^\.\.|^\//);
    expect(loadConfig({ DATA_DIR: '/srv/ce' }).dataDir).toBe('/srv/ce');
  });

  it('lets migrations run with DATABASE_URL alone, even in production', () => {
    const url = 'postgresql://u:p@db:5432/app';
    expect(loadDatabaseConfig({ NODE_ENV: 'production', DATABASE_URL: url }).databaseUrl).toBe(url);
    expect(() => loadDatabaseConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
  });

  it('reads the OAuth clients and provider endpoints, and wants a client id with its secret', () => {
    const c = loadConfig({
      GOOGLE_CLIENT_ID: 'g-id',
      GOOGLE_CLIENT_SECRET: 'g-secret',
      GMAIL_API_URL: 'http://127.0.0.1:4010',
      MICROSOFT_GRAPH_URL: 'http://127.0.0.1:4020/v1.0/',
      INBOUND_POLL_INTERVAL_SECONDS: '30',
    });
    expect(c.google).toMatchObject({
      clientId: 'g-id',
      clientSecret: 'g-secret',
      apiUrl: 'http://127.0.0.1:4010/',
    });
    expect(c.google.tokenUrl).toBe('https://oauth2.googleapis.com/token');
    expect(c.microsoft).toMatchObject({ clientId: undefined, graphUrl: 'http://127.0.0.1:4020/v1.0' });
    expect(c.inbound).toMatchObject({ enabled: true, intervalSeconds: 30, maxMessages: 50 });
    expect(() => loadConfig({ MICROSOFT_CLIENT_ID: 'only-the-id' })).toThrow(/MICROSOFT_CLIENT_ID/);
    expect(() => loadConfig({ GOOGLE_TOKEN_URL: 'ftp://x' })).toThrow(/GOOGLE_TOKEN_URL/);
  });
});
