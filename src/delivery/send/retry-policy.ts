/**
 * When to try a transient failure again: exponential backoff from `baseMs` with ±20 % jitter,
 * never earlier than the server's Retry-After.
 */
export function retryDelayMs(attempt: number, baseMs: number, retryAfterMs?: number, random = Math.random) {
  const exponential = baseMs * 2 ** Math.max(0, attempt - 1);
  const jittered = exponential * (0.8 + random() * 0.4);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
