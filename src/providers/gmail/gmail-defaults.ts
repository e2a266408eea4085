import type { ProviderDefaults } from '../mail-provider.port.js';

/** Consumer Gmail domains; every other address on Gmail is a Google Workspace account. */
const CONSUMER_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/**
 * Google Workspace: 2,000 messages a day (500 during a Workspace trial, which the API cannot
 * tell apart: set the cap with updateSenderAccount). 2 s between sends keeps a mailbox under 30
 * sends a minute, well within the per-user API quota that lookups and inbound polls share.
 */
export const GMAIL_WORKSPACE_DEFAULTS: ProviderDefaults = { dailyCap: 2000, minGapSeconds: 2 };
/** Consumer Gmail (gmail.com, googlemail.com): about 500 messages a day. */
export const GMAIL_CONSUMER_DEFAULTS: ProviderDefaults = { dailyCap: 500, minGapSeconds: 2 };

export function gmailDefaultsFor(email: string): ProviderDefaults {
  const domain = email.split('@').pop()?.toLowerCase() ?? '';
  return CONSUMER_DOMAINS.has(domain) ? GMAIL_CONSUMER_DEFAULTS : GMAIL_WORKSPACE_DEFAULTS;
}
