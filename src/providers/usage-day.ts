import { DateTime } from 'luxon';

/**
 * The `SenderDailyUsage.day` a send at `at` counts towards: the calendar date in the mailbox's
 * time zone, as a Date at UTC midnight (how Prisma writes `@db.Date`). Everything that reads or
 * writes daily usage goes through here so that caps and `sentToday` agree on what "today" is.
 */
export function usageDay(timezone: string, at: Date = new Date()): Date {
  const local = DateTime.fromJSDate(at).setZone(timezone);
  const date = local.isValid ? local.toISODate() : DateTime.fromJSDate(at).toUTC().toISODate();
  return new Date(`${date}T00:00:00.000Z`);
}
