import {
  addBusinessDays,
  addBusinessHours,
  addBusinessMinutes,
  addDuration,
  isBusinessTime,
  nextBusinessMoment,
  zoneFor,
  type BusinessCalendar,
} from './business-time.js';

const weekdays = (zone: string, startMinute = 9 * 60, endMinute = 17 * 60): BusinessCalendar => ({
  zone,
  days: [1, 2, 3, 4, 5],
  startMinute,
  endMinute,
});
const everyDay = (zone: string, startMinute = 0, endMinute = 1440): BusinessCalendar => ({
  zone,
  days: [1, 2, 3, 4, 5, 6, 7],
  startMinute,
  endMinute,
});
const iso = (d: Date) => d.toISOString();
const at = (s: string) => new Date(s);

describe('business time', () => {
  const ny = weekdays('America/New_York');

  it('knows business hours and finds the next business moment', () => {
    // Tuesday 2026-06-02, New York is UTC-4 in summer.
    expect(isBusinessTime(at('2026-06-02T13:00:00Z'), ny)).toBe(true); // 09:00 local
    expect(isBusinessTime(at('2026-06-02T12:59:59Z'), ny)).toBe(false); // 08:59:59
    expect(isBusinessTime(at('2026-06-02T21:00:00Z'), ny)).toBe(false); // 17:00: the end is excluded
    expect(iso(nextBusinessMoment(at('2026-06-02T15:00:00Z'), ny))).toBe('2026-06-02T15:00:00.000Z');
    expect(iso(nextBusinessMoment(at('2026-06-02T22:00:00Z'), ny))).toBe('2026-06-03T13:00:00.000Z');
    // Saturday → Monday 09:00.
    expect(iso(nextBusinessMoment(at('2026-06-06T15:00:00Z'), ny))).toBe('2026-06-08T13:00:00.000Z');
  });

  it('adds business days at the same local time, skipping weekends', () => {
    // Friday 16:00 + 2 business days = Tuesday 16:00.
    expect(iso(addBusinessDays(at('2026-06-05T20:00:00Z'), 2, ny))).toBe('2026-06-09T20:00:00.000Z');
    // Saturday counts from Monday 09:00: + 2 = Wednesday 09:00.
    expect(iso(addBusinessDays(at('2026-06-06T15:00:00Z'), 2, ny))).toBe('2026-06-10T13:00:00.000Z');
  });

  it('keeps 10:00 at 10:00 across the spring-forward and fall-back changes in New York', () => {
    // Friday 2026-03-06 10:00 EST (UTC-5); clocks jump on Sunday 8 March; Tuesday 10:00 is EDT (UTC-4).
    expect(iso(addBusinessDays(at('2026-03-06T15:00:00Z'), 2, ny))).toBe('2026-03-10T14:00:00.000Z');
    // Friday 2026-10-30 10:00 EDT; clocks fall back on Sunday 1 November; Monday 10:00 is EST.
    expect(iso(addBusinessDays(at('2026-10-30T14:00:00Z'), 1, ny))).toBe('2026-11-02T15:00:00.000Z');
  });

  it('counts business minutes as elapsed time across the Paris changes', () => {
    const paris = everyDay('Europe/Paris');
    // Saturday 28 March 23:00 CET + 3 business hours: the wall clock reads 03:00 CEST (one hour skipped).
    expect(iso(addBusinessHours(at('2026-03-28T22:00:00Z'), 3, paris))).toBe('2026-03-29T01:00:00.000Z');
    // Saturday 24 October 16:00 CEST + 2 business hours with 09:00–17:00 every day: one hour on
    // Saturday, one on Sunday from 09:00 CET: Sunday 10:00 CET.
    const parisDays = everyDay('Europe/Paris', 9 * 60, 17 * 60);
    expect(iso(addBusinessHours(at('2026-10-24T14:00:00Z'), 2, parisDays))).toBe('2026-10-25T09:00:00.000Z');
  });

  it('moves a business start inside a DST gap forward with the clocks, and takes the first 01:30 of a repeated hour', () => {
    // Business hours from 02:30 on Sunday 8 March in New York: 02:30 does not exist, 03:30 EDT does.
    const early = everyDay('America/New_York', 150, 17 * 60);
    expect(iso(nextBusinessMoment(at('2026-03-08T05:00:00Z'), early))).toBe('2026-03-08T07:30:00.000Z');
    // From 01:30 on Sunday 1 November: the first 01:30 (EDT, UTC-4).
    const repeated = everyDay('America/New_York', 90, 17 * 60);
    expect(iso(nextBusinessMoment(at('2026-11-01T04:00:00Z'), repeated))).toBe('2026-11-01T05:30:00.000Z');
  });

  it('handles half-hour zones: Asia/Kolkata and the half-hour DST of Australia/Lord_Howe', () => {
    // Friday 5 June 16:30 IST (UTC+5:30) + 1 business hour: 30 minutes Friday, 30 minutes Monday.
    expect(iso(addBusinessHours(at('2026-06-05T11:00:00Z'), 1, weekdays('Asia/Kolkata')))).toBe(
      '2026-06-08T04:00:00.000Z',
    );
    // Lord Howe moves from UTC+10:30 to UTC+11 on Sunday 4 October 2026: Friday 10:00 + 1 business
    // day is Monday 10:00 at the new offset.
    expect(iso(addBusinessDays(at('2026-10-01T23:30:00Z'), 1, weekdays('Australia/Lord_Howe')))).toBe(
      '2026-10-04T23:00:00.000Z',
    );
  });

  it('carries business minutes over nights and weekends', () => {
    // Friday 16:50 New York + 20 business minutes = Monday 09:10.
    expect(iso(addBusinessMinutes(at('2026-06-05T20:50:00Z'), 20, ny))).toBe('2026-06-08T13:10:00.000Z');
    // Exactly to the end of the day: the next business moment.
    expect(iso(addBusinessMinutes(at('2026-06-05T20:50:00Z'), 10, ny))).toBe('2026-06-08T13:00:00.000Z');
  });

  it('adds durations: minutes and hours elapsed, business days in business time', () => {
    const friday = at('2026-06-05T20:00:00Z');
    expect(iso(addDuration(friday, 90, 'MINUTES', ny))).toBe('2026-06-05T21:30:00.000Z');
    expect(iso(addDuration(friday, 24, 'HOURS', ny))).toBe('2026-06-06T20:00:00.000Z');
    expect(iso(addDuration(friday, 1, 'BUSINESS_DAYS', ny))).toBe('2026-06-08T20:00:00.000Z');
    expect(iso(addDuration(friday, 0, 'BUSINESS_DAYS', ny))).toBe(iso(friday));
  });

  it("uses the contact's zone when it is valid, else the sequence's", () => {
    expect(zoneFor('Asia/Kolkata', 'Europe/Paris')).toBe('Asia/Kolkata');
    expect(zoneFor(null, 'Europe/Paris')).toBe('Europe/Paris');
    expect(zoneFor('Mars/Olympus', 'Europe/Paris')).toBe('Europe/Paris');
  });
});
