import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a consent URL's `state` carries: who started the connection, where, and until when. */
export interface OAuthStateClaims {
  provider: 'GMAIL' | 'MICROSOFT';
  organizationId: string;
  userId: string;
  /** Random, so each state is single-use. */
  nonce: string;
  /** Epoch milliseconds after which the state is refused. */
  expiresAt: number;
}

export type OAuthStateProblem = 'malformed' | 'forged' | 'expired' | 'wrong-provider';

/** `<payload>.<HMAC-SHA256 of it>`, both base64url. Pure, so the checks are testable without Redis. */
export function signState(
  key: Buffer,
  claims: Omit<OAuthStateClaims, 'nonce'>,
  nonce = randomBytes(16).toString('base64url'),
) {
  const payload = Buffer.from(
    JSON.stringify({
      p: claims.provider,
      o: claims.organizationId,
      u: claims.userId,
      n: nonce,
      e: claims.expiresAt,
    }),
  ).toString('base64url');
  return `${payload}.${mac(key, payload)}`;
}

/** The claims of a state this key signed, or the problem with it. */
export function verifyState(
  key: Buffer,
  state: string,
  provider: OAuthStateClaims['provider'],
  now: number,
): OAuthStateClaims | OAuthStateProblem {
  const [payload, signature, ...rest] = state.split('.');
  if (!payload || !signature || rest.length) return 'malformed';
  const expected = Buffer.from(mac(key, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'forged';
  let raw: { p?: unknown; o?: unknown; u?: unknown; n?: unknown; e?: unknown };
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof raw;
  } catch {
    return 'malformed';
  }
  if (
    (raw.p !== 'GMAIL' && raw.p !== 'MICROSOFT') ||
    typeof raw.o !== 'string' ||
    typeof raw.u !== 'string' ||
    typeof raw.n !== 'string' ||
    typeof raw.e !== 'number'
  ) {
    return 'malformed';
  }
  if (raw.p !== provider) return 'wrong-provider';
  if (raw.e <= now) return 'expired';
  return { provider: raw.p, organizationId: raw.o, userId: raw.u, nonce: raw.n, expiresAt: raw.e };
}

/** The state key, derived from the JWT secret so that no extra secret has to be configured. */
export function stateKey(jwtSecret: string) {
  return createHmac('sha256', jwtSecret).update('campaign-engine oauth state v1').digest();
}

function mac(key: Buffer, payload: string) {
  return createHmac('sha256', key).update(payload).digest('base64url');
}
