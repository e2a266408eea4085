import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type ipaddr from 'ipaddr.js';
import { classifyAddress, inCidr, parseIp } from './ip-ranges.js';

/**
 * Guards connections the server opens to hosts a tenant names (SMTP now; IMAP or webhooks later):
 * the host is resolved once, every address it resolves to must be public unless an operator
 * allow-listed it, and the caller then connects to the address that was checked, never to the
 * name again (a second DNS answer could point elsewhere: DNS rebinding).
 *
 * Allow-list entries (comma-separated in configuration): a host name (`smtp.internal`), an IP
 * (`10.0.0.5`, `[fd00::5]`), or a CIDR range (`10.0.0.0/8`, `[fd00::/8]`), each optionally with a
 * port (`127.0.0.1:2525`, `[::1]:2525`, `smtp.internal:587`) to allow only that port.
 */

export interface AllowEntry {
  /** Lower-case host name, matched against the name the tenant gave. */
  host?: string;
  /** An address range, matched against every resolved address. */
  cidr?: [ipaddr.IPv4 | ipaddr.IPv6, number];
  /** Only this port, when given. */
  port?: number;
}

/** A resolved address the caller may connect to, with the name to present for TLS (SNI and certificate). */
export interface CheckedHost {
  address: string;
  family: 4 | 6;
  /** The host name as given, for `tls.servername`; undefined when the tenant gave an IP. */
  servername?: string;
}

export type HostRefusal = 'not-public' | 'unresolvable';

/** The host may not be connected to; the message is the engine's own words, safe to show. */
export class HostRefusedError extends Error {
  constructor(
    readonly reason: HostRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'HostRefusedError';
  }
}

const normalizeHost = (host: string) =>
  host
    .trim()
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^\[(.*)\]$/, '$1');

function parsePort(text: string | undefined, entry: string): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new Error(`"${entry}": port must be 1-65535`);
  return port;
}

function parseTarget(text: string, entry: string): Omit<AllowEntry, 'port'> {
  const [addressText, lengthText] = text.split('/');
  const ip = parseIp(addressText);
  if (ip) {
    const max = ip.kind() === 'ipv4' ? 32 : 128;
    const length = lengthText === undefined ? max : Number(lengthText);
    if (!Number.isInteger(length) || length < 0 || length > max)
      throw new Error(`"${entry}": bad prefix length`);
    return { cidr: [ip, length] };
  }
  if (
    lengthText !== undefined ||
    !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(text)
  )
    throw new Error(`"${entry}": not a host name, IP address or CIDR range`);
  return { host: normalizeHost(text) };
}

/** Parses allow-list entries; throws an Error naming the first bad one. */
export function parseAllowlist(entries: string[]): AllowEntry[] {
  return entries
    .map((e) => e.trim())
    .filter(Boolean)
    .map((entry) => {
      const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
      if (bracketed) return { ...parseTarget(bracketed[1], entry), port: parsePort(bracketed[2], entry) };
      if ((entry.match(/:/g) ?? []).length > 1) return parseTarget(entry, entry); // bare IPv6, no port
      const [target, port] = entry.split(':');
      return { ...parseTarget(target, entry), port: parsePort(port, entry) };
    });
}

export type Lookup = (host: string) => Promise<{ address: string; family: number }[]>;
const systemLookup: Lookup = (host) => dnsLookup(host, { all: true, verbatim: true });

/** Resolves and checks hosts against the public-address rule and an operator's allow-list. */
export class HostGuard {
  private readonly allow: AllowEntry[];

  constructor(
    allowlist: string[] | AllowEntry[] = [],
    private readonly lookup: Lookup = systemLookup,
  ) {
    this.allow =
      allowlist.length && typeof allowlist[0] === 'string'
        ? parseAllowlist(allowlist as string[])
        : (allowlist as AllowEntry[]);
  }

  /**
   * The address to connect to for `host:port`, or HostRefusedError. `label` names the host in
   * messages (e.g. `smtp.host`). Numeric forms (decimal, octal, hex, IPv4-mapped IPv6) are
   * resolved like the system would, then judged by the address they mean.
   */
  async check(host: string, port: number, label = 'host'): Promise<CheckedHost> {
    const name = normalizeHost(host);
    let resolved: { address: string; family: number }[];
    try {
      resolved = isIP(name) ? [{ address: name, family: isIP(name) }] : await this.lookup(name);
    } catch {
      resolved = [];
    }
    if (!resolved.length) throw new HostRefusedError('unresolvable', `${label} could not be resolved`);
    const portMatches = (e: AllowEntry) => e.port === undefined || e.port === port;
    const nameAllowed = this.allow.some((e) => e.host === name && portMatches(e));
    for (const { address } of resolved) {
      if (nameAllowed || classifyAddress(address).isPublic) continue;
      if (this.allow.some((e) => e.cidr && inCidr(address, e.cidr) && portMatches(e))) continue;
      throw new HostRefusedError(
        'not-public',
        `${label} must be a public address: it resolves to a loopback, private, link-local or reserved address (an operator can allow it with MAILBOX_HOST_ALLOWLIST)`,
      );
    }
    const address = classifyAddress(resolved[0].address).address;
    return {
      address,
      family: isIP(address) as 4 | 6,
      // A name gets SNI and certificate checks against it; an IP given as such has no name to check.
      servername: isIP(name) ? undefined : name,
    };
  }
}
