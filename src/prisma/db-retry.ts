/**
 * Database failures that retrying can cure: deadlocks and serialization failures (the transaction
 * was rolled back and may simply run again), lost or refused connections (the server restarted),
 * and a prepared statement that a migration changed under this process (its connection is dropped;
 * the next one prepares it afresh). Anything else (a constraint, a bad value, a domain refusal)
 * fails the same way again.
 */
const RETRYABLE_SQLSTATE = /^(40P01|40001|57P0[123]|08\d{3}|53300)$/;
const RETRYABLE_TEXT =
  /deadlock detected|could not serialize|cached plan must not change result type|terminating connection|Connection terminated|ECONNRESET|ECONNREFUSED|EPIPE|server closed the connection|Can't reach database|connection (is )?closed|timeout exceeded when trying to connect/i;

function codesOf(error: unknown, depth = 0): string[] {
  if (!error || typeof error !== 'object' || depth > 4) return [];
  const e = error as Record<string, unknown>;
  const own = [e.code, e.originalCode, (e.meta as Record<string, unknown> | undefined)?.code].filter(
    (c): c is string => typeof c === 'string',
  );
  return [...own, ...codesOf(e.cause, depth + 1), ...codesOf(e.meta, depth + 1)];
}

export function isRetryableDbError(error: unknown): boolean {
  if (codesOf(error).some((c) => RETRYABLE_SQLSTATE.test(c))) return true;
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  const text =
    error instanceof Error ? `${error.message} ${cause instanceof Error ? cause.message : ''}` : '';
  return RETRYABLE_TEXT.test(text);
}

/** Runs `fn`, again (with a short growing pause) while it fails with a retryable database error. */
export async function withDbRetry<T>(fn: () => Promise<T>, attempts = 5, baseMs = 50): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= attempts || !isRetryableDbError(e)) throw e;
      await new Promise((r) => setTimeout(r, baseMs * attempt + Math.random() * baseMs));
    }
  }
}
