import { badInput } from '../common/errors/domain-error.js';

/**
 * A sending window is both ends or neither, and starts before it ends (minutes after midnight in
 * the mailbox's time zone). A window across midnight is not supported.
 */
export function validateWindow(input: {
  windowStartMinute?: number | null;
  windowEndMinute?: number | null;
}) {
  const start = input.windowStartMinute ?? null;
  const end = input.windowEndMinute ?? null;
  if ((start === null) !== (end === null)) {
    throw badInput(
      start === null ? 'windowStartMinute' : 'windowEndMinute',
      'Give both windowStartMinute and windowEndMinute, or neither',
    );
  }
  if (start !== null && end !== null && start >= end) {
    throw badInput('windowEndMinute', 'windowEndMinute must be after windowStartMinute');
  }
}
