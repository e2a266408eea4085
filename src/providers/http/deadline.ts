/**
 * The signal of one provider call: aborted by the caller's signal or after `timeoutMs`, whichever
 * comes first, so no call outlives the overall deadline.
 */
export function callSignal(caller: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const deadline = AbortSignal.timeout(timeoutMs);
  return caller ? AbortSignal.any([caller, deadline]) : deadline;
}
