/** What stops an enrollment, as the sequence's settings say. */
export interface StopRules {
  onReply: boolean;
  onAutoReply: boolean;
  onDomainReply: boolean;
  onBounce: boolean;
  onUnsubscribe: boolean;
}

export type StopSignal =
  { type: 'replied'; automatic: boolean } | { type: 'bounced' } | { type: 'unsubscribed' };

export type SignalStopReason = 'REPLIED' | 'BOUNCED' | 'UNSUBSCRIBED';

/**
 * Whether a signal stops the enrollment it concerns. Automatic replies (out-of-office,
 * Auto-Submitted) stop it only when the sequence says so; only hard bounces are signalled.
 */
export function stopReasonFor(signal: StopSignal, rules: StopRules): SignalStopReason | null {
  switch (signal.type) {
    case 'replied':
      return (signal.automatic ? rules.onAutoReply : rules.onReply) ? 'REPLIED' : null;
    case 'bounced':
      return rules.onBounce ? 'BOUNCED' : null;
    case 'unsubscribed':
      return rules.onUnsubscribe ? 'UNSUBSCRIBED' : null;
  }
}

/** Mail providers whose users share a domain without sharing a company. */
const PERSONAL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'yahoo.com',
  'ymail.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'gmx.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  'mail.com',
  'yandex.com',
  'yandex.ru',
  'mail.ru',
  'zoho.com',
  'fastmail.com',
  'hey.com',
  'qq.com',
  '163.com',
  'orange.fr',
  'free.fr',
  'laposte.net',
]);

/**
 * The company domain of an address, for "stop when anyone at the company replies": null for
 * personal mail providers, whose users are not colleagues.
 */
export function companyDomain(email: string): string | null {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return domain && !PERSONAL_DOMAINS.has(domain) ? domain : null;
}
