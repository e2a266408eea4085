import type { ResolvedConfig } from '../../src/config/config.js';
import type { FakeGoogle } from './fake-google.js';
import type { FakeMicrosoft } from './fake-microsoft.js';

/**
 * Config overrides that point the engine's Google and Microsoft clients at the fakes. The app's
 * own inbound poller is off unless asked for, so it never polls (and refreshes tokens of) a
 * mailbox behind a test's back.
 */
export function fakeProviders(
  fakes: { google?: FakeGoogle; microsoft?: FakeMicrosoft },
  inbound: Partial<ResolvedConfig['inbound']> = {},
): Partial<ResolvedConfig> {
  const { google, microsoft } = fakes;
  return {
    ...(google && {
      google: {
        clientId: google.clientId,
        clientSecret: google.clientSecret,
        authorizeUrl: google.authorizeUrl,
        tokenUrl: google.tokenUrl,
        apiUrl: google.apiUrl,
      },
    }),
    ...(microsoft && {
      microsoft: {
        clientId: microsoft.clientId,
        clientSecret: microsoft.clientSecret,
        authorizeUrl: microsoft.authorizeUrl,
        tokenUrl: microsoft.tokenUrl,
        graphUrl: microsoft.graphUrl,
      },
    }),
    inbound: { enabled: false, intervalSeconds: 60, maxMessages: 50, leaseSeconds: 600, ...inbound },
  };
}
