import { isbot } from 'isbot';

/** One request for a tracked pixel or link. */
export interface Hit {
  method: string;
  userAgent: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** When the message was sent (null if it never was). */
  sentAt: Date | null;
  at: Date;
  /** The invisible link only machines follow. */
  honeypot?: boolean;
  kind: 'open' | 'click';
}

export interface Classification {
  machine: boolean;
  reason: string;
}

/** Link scanners (SafeLinks, Mimecast, Proofpoint) follow links within seconds of delivery. */
export const SCANNER_WINDOW_MS = 10_000;

const PREFETCH_HEADERS = ['purpose', 'sec-purpose', 'x-purpose', 'x-moz'];

const header = (h: Hit['headers'], name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : (v ?? '');
};

/**
 * Whether a person or a machine opened or clicked, and why: the invisible honeypot link, HEAD and
 * prefetch requests, Apple Mail Privacy Protection (user agent exactly `Mozilla/5.0`), Gmail's
 * image proxy, any user agent the maintained `isbot` list knows, and clicks within seconds of
 * delivery (link scanners). Everything else counts as a person.
 */
export function classifyHit(hit: Hit): Classification {
  const ua = (hit.userAgent ?? '').trim();
  if (hit.honeypot) return { machine: true, reason: 'followed the invisible honeypot link' };
  if (hit.method.toUpperCase() === 'HEAD') return { machine: true, reason: 'HEAD request' };
  if (PREFETCH_HEADERS.some((h) => /prefetch|preview/i.test(header(hit.headers, h)))) {
    return { machine: true, reason: 'prefetch request' };
  }
  if (ua === 'Mozilla/5.0') return { machine: true, reason: 'Apple Mail Privacy Protection' };
  if (/GoogleImageProxy/i.test(ua)) return { machine: true, reason: 'Gmail image proxy' };
  if (!ua) return { machine: true, reason: 'no user agent' };
  if (isbot(ua)) return { machine: true, reason: 'known bot or scanner user agent' };
  if (hit.kind === 'click' && hit.sentAt && hit.at.getTime() - hit.sentAt.getTime() < SCANNER_WINDOW_MS) {
    return {
      machine: true,
      reason: `clicked within ${SCANNER_WINDOW_MS / 1000} s of delivery (link scanner)`,
    };
  }
  return { machine: false, reason: 'person' };
}
