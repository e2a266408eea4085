import ipaddr from 'ipaddr.js';

/**
 * Which IP addresses a server may connect to on a tenant's behalf. Only ordinary public unicast
 * addresses are; loopback, private, link-local (cloud metadata at 169.254.169.254), CGNAT,
 * multicast, unspecified, broadcast, documentation and other reserved ranges are not. IPv6 forms
 * that embed an IPv4 address (::ffff:a.b.c.d, NAT64 64:ff9b::/96) are judged by that address;
 * tunnel forms (6to4, Teredo) are refused, as their far end cannot be told.
 */
export interface AddressClass {
  /** The address in its canonical form (IPv4 for IPv4-mapped IPv6). */
  address: string;
  /** ipaddr.js's range name: `unicast` for public addresses, else e.g. `loopback`, `linkLocal`. */
  range: string;
  isPublic: boolean;
}

/** Parses any form ipaddr.js accepts (dotted, decimal, hex, octal, IPv6); null when not an IP. */
export function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  try {
    return ipaddr.parse(text.replace(/^\[(.*)\]$/, '$1'));
  } catch {
    return null;
  }
}

/** Classifies an IP address (throws on something that is not one). */
export function classifyAddress(text: string): AddressClass {
  const ip = parseIp(text);
  if (!ip) throw new Error(`not an IP address: ${text}`);
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return classifyAddress(v6.toIPv4Address().toString());
    if (v6.range() === 'rfc6052') {
      const bytes = v6.toByteArray().slice(12);
      const embedded = classifyAddress(bytes.join('.'));
      return { address: v6.toString(), range: `rfc6052/${embedded.range}`, isPublic: embedded.isPublic };
    }
  }
  const range = ip.range();
  return { address: ip.toString(), range, isPublic: range === 'unicast' };
}

/** Whether `address` lies in `cidr` ([ip, prefix length]); IPv4-mapped IPv6 counts as IPv4. */
export function inCidr(address: string, cidr: [ipaddr.IPv4 | ipaddr.IPv6, number]): boolean {
  let ip = parseIp(address);
  if (!ip) return false;
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress())
    ip = (ip as ipaddr.IPv6).toIPv4Address();
  return ip.kind() === cidr[0].kind() && ip.match(cidr);
}
