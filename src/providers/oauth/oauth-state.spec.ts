import { signState, stateKey, verifyState } from './oauth-state.js';

describe('OAuth state', () => {
  const key = stateKey('test-secret-test-secret-test-secret-0123');
  const now = Date.parse('2026-11-23T10:00:00Z');
  const claims = {
    provider: 'GMAIL' as const,
    organizationId: 'org-1',
    userId: 'user-1',
    expiresAt: now + 600_000,
  };

  it('carries who started the connection, for the provider it was made for', () => {
    const state = signState(key, claims, 'nonce-1');
    expect(verifyState(key, state, 'GMAIL', now)).toEqual({ ...claims, nonce: 'nonce-1' });
    expect(verifyState(key, state, 'MICROSOFT', now)).toBe('wrong-provider');
  });

  it('refuses a changed payload, another key, an expired state and garbage', () => {
    const state = signState(key, claims);
    const [payload, sig] = state.split('.');
    const tampered = Buffer.from(
      Buffer.from(payload, 'base64url').toString().replace('org-1', 'org-2'),
    ).toString('base64url');
    expect(verifyState(key, `${tampered}.${sig}`, 'GMAIL', now)).toBe('forged');
    expect(verifyState(stateKey('another-secret-another-secret-0123456'), state, 'GMAIL', now)).toBe(
      'forged',
    );
    expect(verifyState(key, state, 'GMAIL', claims.expiresAt)).toBe('expired');
    expect(verifyState(key, 'nonsense', 'GMAIL', now)).toBe('malformed');
    expect(verifyState(key, '', 'GMAIL', now)).toBe('malformed');
  });
});
