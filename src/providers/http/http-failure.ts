import { TransientMailError, UnknownOutcomeMailError, type MailError } from '../mail-errors.js';

/**
 * A failed provider call, reduced to what classification needs. Adapters build it from their
 * client's error (gaxios, Graph client, fetch); the classifiers that read it are pure.
 */
export interface HttpFailure {
  /** The HTTP status, when the server answered. */
  status?: number;
  /** The provider's machine-readable reasons / codes (Gmail `errors[].reason`, Graph `error.code`, OAuth `error`). */
  reasons: string[];
  message: string;
  /** The Retry-After header, when the server sent one. */
  retryAfter?: string | null;
  /**
   * Why there was no answer: `refused` (nothing reached the server), `timeout` (our deadline),
   * `aborted` (the caller's signal), `broken` (the connection died mid-request).
   */
  network?: 'refused' | 'timeout' | 'aborted' | 'broken';
}

export interface CallContext {
  /** True for the call that hands a message over: a lost answer there means an unknown outcome. */
  sending: boolean;
  now: Date;
}

/** Milliseconds to wait from a Retry-After header (seconds or an HTTP date); undefined when absent or invalid. */
export function retryAfterMs(value: string | null | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** A call that got no answer: nothing sent (refused) is worth retrying; a send cut short may have gone out. */
export function classifyNetworkFailure(f: HttpFailure, ctx: CallContext): MailError {
  const what =
    f.network === 'timeout'
      ? 'the provider did not answer in time'
      : f.network === 'aborted'
        ? 'the call was aborted'
        : f.network === 'refused'
          ? 'the provider could not be reached'
          : 'the connection to the provider broke';
  if (ctx.sending && f.network !== 'refused') {
    return new UnknownOutcomeMailError(
      `${what} while sending; the message may have been sent (${f.message})`,
    );
  }
  return new TransientMailError(`${what} (${f.message})`);
}

const REFUSED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Reads a fetch / gaxios network error: its code (also on `cause`), and whether our deadline or
 * the caller's signal ended it. `signal` is the call's combined signal.
 */
export function networkKind(
  error: unknown,
  deadline: AbortSignal,
  caller?: AbortSignal,
): HttpFailure['network'] {
  if (caller?.aborted) return 'aborted';
  if (deadline.aborted) return 'timeout';
  const codes: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    e = (e as { cause?: unknown }).cause;
  }
  if (codes.some((c) => REFUSED.has(c))) return 'refused';
  return 'broken';
}
