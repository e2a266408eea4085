import { classifyAddress, inCidr, parseIp } from './ip-ranges.js';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.100.100.200', 'carrierGradeNat'],
    ['224.0.0.1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.10', 'reserved'],
    ['2130706433', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fd00:ec2::254', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'linkLocal'],
    ['64:ff9b::a9fe:a9fe', 'rfc6052/linkLocal'],
    ['2002:7f00:1::', '6to4'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
  ])('refuses %s (%s)', (address, range) => {
    expect(classifyAddress(address)).toMatchObject({ range, isPublic: false });
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    'allows the public address %s',
    (address) => {
      expect(classifyAddress(address).isPublic).toBe(true);
    },
  );

  it('gives the canonical form of mapped addresses and rejects non-addresses', () => {
    expect(classifyAddress('::ffff:127.0.0.1').address).toBe('127.0.0.1');
    expect(() => classifyAddress('smtp.example.com')).toThrow(/not an IP/);
  });

  it('matches CIDR ranges, IPv4-mapped addresses included', () => {
    const cidr: [any, number] = [parseIp('10.0.0.0')!, 8];
    expect(inCidr('10.9.9.9', cidr)).toBe(true);
    expect(inCidr('::ffff:10.9.9.9', cidr)).toBe(true);
    expect(inCidr('11.0.0.1', cidr)).toBe(false);
    expect(inCidr('fd00::1', cidr)).toBe(false);
  });
});
