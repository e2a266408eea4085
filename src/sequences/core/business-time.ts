import { DateTime, IANAZone } from 'luxon';

/**
 * Business time in a time zone, with luxon. Business hours are [startMinute, endMinute) minutes after
 * local midnight on the given ISO weekdays (1 = Monday). Local times are built from calendar fields,
 * never by adding minutes to midnight, so a DST change moves nothing but the offset: 09:00 stays
 * 09:00 on the day clocks jump. A start inside a DST gap moves forward with the clocks (luxon).
 */
export interface BusinessHours {
  days: readonly number[];
  startMinute: number;
  endMinute: number;
}

export interface BusinessCalendar extends BusinessHours {
  zone: string;
}

export type DurationUnit = 'MINUTES' | 'HOURS' | 'BUSINESS_DAYS';

const MINUTE = 60_000;
/** No calendar with at least one business day needs more than a week to find the next one. */
const MAX_DAYS_AHEAD = 8;

/** The contact's zone when it is a valid IANA zone, else the sequence's fallback. */
export function zoneFor(contactZone: string | null | undefined, fallback: string): string {
  return contactZone && IANAZone.isValidZone(contactZone) ? contactZone : fallback;
}

function localDay(at: Date | DateTime, zone: string): DateTime {
  const dt = at instanceof Date ? DateTime.fromJSDate(at) : at;
  return dt.setZone(zone).startOf('day');
}

const atMinute = (day: DateTime, minute: number) =>
  minute >= 1440
    ? day.plus({ days: 1 }).startOf('day')
    : day.set({ hour: Math.floor(minute / 60), minute: minute % 60 });

/** The business interval of the local day `day` (its midnight), or null when it has none. */
function intervalOn(day: DateTime, cal: BusinessCalendar): { start: DateTime; end: DateTime } | null {
  if (!cal.days.includes(day.weekday)) return null;
  const start = atMinute(day, cal.startMinute);
  const end = atMinute(day, cal.endMinute);
  return start < end ? { start, end } : null;
}

/** True when `at` lies inside business hours. */
export function isBusinessTime(at: Date, cal: BusinessCalendar): boolean {
  const i = intervalOn(localDay(at, cal.zone), cal);
  const t = at.getTime();
  return i !== null && t >= i.start.toMillis() && t < i.end.toMillis();
}

/** `at` itself when it is business time, else the start of the next business interval. */
export function nextBusinessMoment(at: Date, cal: BusinessCalendar): Date {
  let day = localDay(at, cal.zone);
  for (let i = 0; i < MAX_DAYS_AHEAD; i++, day = day.plus({ days: 1 }).startOf('day')) {
    const interval = intervalOn(day, cal);
    if (!interval || at.getTime() >= interval.end.toMillis()) continue;
    return new Date(Math.max(at.getTime(), interval.start.toMillis()));
  }
  throw new Error('The business calendar has no business hours');
}

/**
 * The same local time of day `days` business days later, counted from the next business moment:
 * Friday 16:00 + 2 = Tuesday 16:00, Saturday 10:00 + 2 = Wednesday 09:00 (Monday 09:00 + 2). When
 * that local time is not business time on the target day (a DST gap), the next business moment.
 */
export function addBusinessDays(at: Date, days: number, cal: BusinessCalendar): Date {
  const from = DateTime.fromJSDate(nextBusinessMoment(at, cal)).setZone(cal.zone);
  let day = from.startOf('day');
  for (let counted = 0; counted < days;) {
    day = day.plus({ days: 1 }).startOf('day');
    if (intervalOn(day, cal)) counted++;
  }
  const target = day.set({
    hour: from.hour,
    minute: from.minute,
    second: from.second,
    millisecond: from.millisecond,
  });
  return nextBusinessMoment(target.toJSDate(), cal);
}

/**
 * `minutes` of business time after `at`: elapsed (real) minutes inside business intervals, carried
 * over to the next interval when one ends. An interval crossing a DST change is an hour shorter or
 * longer, as the clocks on the wall say.
 */
export function addBusinessMinutes(at: Date, minutes: number, cal: BusinessCalendar): Date {
  let remaining = minutes * MINUTE;
  let cursor = nextBusinessMoment(at, cal);
  for (;;) {
    const interval = intervalOn(localDay(cursor, cal.zone), cal)!;
    const available = interval.end.toMillis() - cursor.getTime();
    if (remaining < available) return new Date(cursor.getTime() + remaining);
    remaining -= available;
    cursor = nextBusinessMoment(interval.end.toJSDate(), cal);
  }
}

export const addBusinessHours = (at: Date, hours: number, cal: BusinessCalendar) =>
  addBusinessMinutes(at, hours * 60, cal);

/** The end of a WAIT or of a CONDITION window: MINUTES and HOURS are elapsed time, BUSINESS_DAYS business days. */
export function addDuration(at: Date, amount: number, unit: DurationUnit, cal: BusinessCalendar): Date {
  switch (unit) {
    case 'MINUTES':
      return new Date(at.getTime() + amount * MINUTE);
    case 'HOURS':
      return new Date(at.getTime() + amount * 60 * MINUTE);
    case 'BUSINESS_DAYS':
      return amount === 0 ? at : addBusinessDays(at, amount, cal);
  }
}
