import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies defaults for a bare local environment', () => {
    const c = loadConfig({});
    expect(c.role).toBe('all');
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.seedDemo).toBe(true);
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
      JWT_SECRET: 'x'.repeat(32),
      ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      DATABASE_URL: 'postgresql://u:p@db:5432/app',
      REDIS_URL: 'redis://cache:6379',
      APP_ROLE: 'worker',
    });
    expect(c.role).toBe('worker');
    expect(c.encryptionKey?.length).toBe(32);
    expect(c.graphql.playground).toBe(false);
    expect(c.seedDemo).toBe(false);
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
