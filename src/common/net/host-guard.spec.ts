import { HostGuard, HostRefusedError, parseAllowlist, type Lookup } from './host-guard.js';

/** A resolver that answers from a table, like a DNS server the attacker controls. */
const dns =
  (table: Record<string, string[]>): Lookup =>
  async (host) => {
    const answers = table[host];
    if (!answers) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
    return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as HostRefusedError;
  }
  throw new Error('expected a refusal');
};

describe('HostGuard', () => {
  const table = {
    'smtp.example.com': ['93.184.215.14'],
    'rebind.example.com': ['93.184.215.14', '127.0.0.1'],
    'metadata.example.com': ['169.254.169.254'],
    'v6.example.com': ['::ffff:169.254.169.254'],
    'smtp.internal': ['10.0.0.25'],
    '2130706433': ['127.0.0.1'],
  };

  it('returns the checked public address and the name for TLS', async () => {
    const guard = new HostGuard([], dns(table));
    await expect(guard.check('SMTP.Example.com.', 587)).resolves.toEqual({
      address: '93.184.215.14',
      family: 4,
      servername: 'smtp.example.com',
    });
    await expect(guard.check('93.184.215.14', 25)).resolves.toMatchObject({ servername: undefined });
  });

  it.each([
    '127.0.0.1',
    '169.254.169.254',
    '[::1]',
    '::ffff:127.0.0.1',
    '2130706433',
    'metadata.example.com',
    'v6.example.com',
    'rebind.example.com',
  ])('refuses %s, which is or resolves to a non-public address', async (host) => {
    const e = await refusal(new HostGuard([], dns(table)).check(host, 25, 'smtp.host'));
    expect(e).toBeInstanceOf(HostRefusedError);
    expect(e.reason).toBe('not-public');
    expect(e.message).toMatch(/^smtp\.host must be a public address/);
    expect(e.message).not.toMatch(/127|169|::/); // never says where a name points
  });

  it('refuses a name that does not resolve', async () => {
    const e = await refusal(new HostGuard([], dns(table)).check('nowhere.example.com', 25, 'smtp.host'));
    expect(e.reason).toBe('unresolvable');
  });

  it('allows what the operator allow-listed, and only on the port given', async () => {
    const guard = new HostGuard(['127.0.0.1:2525', 'smtp.internal', '[::1]', '10.10.0.0/16:587'], dns(table));
    await expect(guard.check('127.0.0.1', 2525)).resolves.toMatchObject({ address: '127.0.0.1' });
    await expect(refusal(guard.check('127.0.0.1', 6379))).resolves.toBeInstanceOf(HostRefusedError);
    await expect(guard.check('smtp.internal', 25)).resolves.toMatchObject({ address: '10.0.0.25' });
    await expect(guard.check('::1', 25)).resolves.toMatchObject({ address: '::1', family: 6 });
    await expect(guard.check('10.10.3.4', 587)).resolves.toMatchObject({ address: '10.10.3.4' });
    await expect(refusal(guard.check('10.10.3.4', 25))).resolves.toBeInstanceOf(HostRefusedError);
    await expect(refusal(guard.check('metadata.example.com', 25))).resolves.toBeInstanceOf(HostRefusedError);
  });

  it('parses allow-list entries and names a bad one', () => {
    expect(
      parseAllowlist(['a.example', 'b.example:25', '10.0.0.0/8', '[fd00::/8]:587', '::1', ' ']),
    ).toHaveLength(5);
    expect(() => parseAllowlist(['10.0.0.0/33'])).toThrow(/"10.0.0.0\/33": bad prefix length/);
    expect(() => parseAllowlist(['host:99999'])).toThrow(/port must be/);
    expect(() => parseAllowlist(['smtp example.com'])).toThrow(/not a host name/);
  });
});
