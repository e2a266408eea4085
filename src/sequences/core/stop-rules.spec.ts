import { companyDomain, stopReasonFor, type StopRules } from './stop-rules.js';

const defaults: StopRules = {
  onReply: true,
  onAutoReply: false,
  onDomainReply: false,
  onBounce: true,
  onUnsubscribe: true,
};

describe('stop rules', () => {
  it('stops on a reply, a bounce and an unsubscribe by default, not on an automatic reply', () => {
    expect(stopReasonFor({ type: 'replied', automatic: false }, defaults)).toBe('REPLIED');
    expect(stopReasonFor({ type: 'replied', automatic: true }, defaults)).toBeNull();
    expect(stopReasonFor({ type: 'bounced' }, defaults)).toBe('BOUNCED');
    expect(stopReasonFor({ type: 'unsubscribed' }, defaults)).toBe('UNSUBSCRIBED');
  });

  it('follows the sequence settings', () => {
    const custom = { ...defaults, onReply: false, onAutoReply: true, onBounce: false };
    expect(stopReasonFor({ type: 'replied', automatic: false }, custom)).toBeNull();
    expect(stopReasonFor({ type: 'replied', automatic: true }, custom)).toBe('REPLIED');
    expect(stopReasonFor({ type: 'bounced' }, custom)).toBeNull();
  });

  it('finds company domains, not personal mail providers', () => {
    expect(companyDomain('Ada@Acme.io')).toBe('acme.io');
    expect(companyDomain('someone@gmail.com')).toBeNull();
  });
});
