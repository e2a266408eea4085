import { networkKind, type HttpFailure } from '../http/http-failure.js';

interface GaxiosLike {
  message?: string;
  response?: {
    status?: number;
    headers?: Headers | Record<string, string>;
    data?: unknown;
  };
}

function header(headers: Headers | Record<string, string> | undefined, name: string) {
  if (!headers) return null;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  return (headers as Record<string, string>)[name] ?? null;
}

/**
 * Reads what the Google clients (gaxios) throw: Gmail's `{ error: { code, message, errors: [{ reason }] } }`,
 * the token endpoint's `{ error, error_description }`, or a network error without a response.
 */
export function gaxiosFailure(error: unknown, deadline: AbortSignal, caller?: AbortSignal): HttpFailure {
  const e = (error ?? {}) as GaxiosLike;
  const r = e.response;
  if (!r?.status) {
    return {
      reasons: [],
      message: e.message ?? String(error),
      network: networkKind(error, deadline, caller),
    };
  }
  const data = (typeof r.data === 'string' ? safeJson(r.data) : r.data) as
    | {
        error?: string | { message?: string; status?: string; errors?: { reason?: string }[] };
        error_description?: string;
      }
    | undefined;
  const err = data?.error;
  const reasons =
    typeof err === 'string'
      ? [err]
      : [...(err?.errors ?? []).map((x) => x.reason ?? ''), err?.status ?? ''].filter(Boolean);
  const message =
    (typeof err === 'object' ? err?.message : undefined) ??
    data?.error_description ??
    (typeof err === 'string' ? err : e.message) ??
    '';
  return { status: r.status, reasons, message, retryAfter: header(r.headers, 'retry-after') };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { message: text.slice(0, 300) } };
  }
}
