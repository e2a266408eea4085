/**
 * `npm run start:fakes`: the engine (as `npm start` runs it) with its Google and Microsoft
 * endpoints pointed at local fakes, so the OAuth connect flow and Gmail / Microsoft 365 sending
 * can be tried without a Google or Microsoft account. The fakes are the ones the tests use
 * (test/support); they keep everything in memory and forget it when this stops.
 */
import { spawn } from 'node:child_process';
import { startFakeGoogle } from '../test/support/fake-google.js';
import { startFakeMicrosoft } from '../test/support/fake-microsoft.js';

const googlePort = Number(process.env.FAKE_GOOGLE_PORT ?? 4010);
const microsoftPort = Number(process.env.FAKE_MICROSOFT_PORT ?? 4011);

const google = await startFakeGoogle({ port: googlePort });
const microsoft = await startFakeMicrosoft({ port: microsoftPort });
for (const email of ['you@example.com', 'you@gmail.com']) google.addUser(email);
for (const email of ['you@contoso.example']) microsoft.addUser(email);

const env = {
  ...process.env,
  GOOGLE_CLIENT_ID: google.clientId,
  GOOGLE_CLIENT_SECRET: google.clientSecret,
  GOOGLE_AUTH_URL: google.authorizeUrl,
  GOOGLE_TOKEN_URL: google.tokenUrl,
  GMAIL_API_URL: google.apiUrl,
  MICROSOFT_CLIENT_ID: microsoft.clientId,
  MICROSOFT_CLIENT_SECRET: microsoft.clientSecret,
  MICROSOFT_AUTHORIZE_URL: microsoft.authorizeUrl,
  MICROSOFT_TOKEN_URL: microsoft.tokenUrl,
  MICROSOFT_GRAPH_URL: microsoft.graphUrl,
};

console.log(`
Fake Google    ${google.url}  (mailboxes: you@example.com, you@gmail.com; contents: ${google.url}/_fake/mailboxes)
Fake Microsoft ${microsoft.url}  (mailbox: you@contoso.example; contents: ${microsoft.url}/_fake/mailboxes)
Connect one: in the playground run
  query { senderAccountAuthorizationUrl(provider: GMAIL) }
open the URL in your browser, pick a mailbox, Allow; the engine's callback page says what it stored.
`);

const engine = spawn(process.execPath, ['dist/src/main.js'], { env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => engine.kill(signal));
}
engine.on('exit', (code) => {
  void Promise.all([google.close(), microsoft.close()]).then(() => process.exit(code ?? 0));
});
