import { DateTime } from 'luxon';

export interface SendingWindow {
  timezone: string;
  /** Minutes after midnight, [start, end); both null = all day. */
  windowStartMinute: number | null;
  windowEndMinute: number | null;
  /** ISO weekdays (1 = Monday); empty = every day. */
  windowDays: number[];
}

/** Whether a mailbox may send at `at`, in its own time zone. */
export function inSendingWindow(w: SendingWindow, at: Date): boolean {
  const local = DateTime.fromJSDate(at).setZone(w.timezone);
  const t = local.isValid ? local : DateTime.fromJSDate(at).toUTC();
  if (w.windowDays.length && !w.windowDays.includes(t.weekday)) return false;
  if (w.windowStartMinute === null || w.windowEndMinute === null) return true;
  const minute = t.hour * 60 + t.minute;
  return minute >= w.windowStartMinute && minute < w.windowEndMinute;
}
