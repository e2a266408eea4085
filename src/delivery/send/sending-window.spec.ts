import { inSendingWindow } from './sending-window.js';

describe('inSendingWindow', () => {
  const nineToFive = {
    timezone: 'Europe/Paris',
    windowStartMinute: 540,
    windowEndMinute: 1020,
    windowDays: [1, 2, 3, 4, 5],
  };

  it("judges the time in the mailbox's own zone", () => {
    // Monday 2026-11-23 08:30 UTC is 09:30 in Paris: open. 16:30 UTC is 17:30 in Paris: closed.
    expect(inSendingWindow(nineToFive, new Date('2026-11-23T08:30:00Z'))).toBe(true);
    expect(inSendingWindow(nineToFive, new Date('2026-11-23T16:30:00Z'))).toBe(false);
    expect(inSendingWindow(nineToFive, new Date('2026-11-23T07:59:00Z'))).toBe(false);
  });

  it('closes on days outside windowDays, also when the UTC day differs', () => {
    // Saturday 2026-11-28 10:00 Paris; and Friday 23:30 UTC, already Saturday in Tokyo.
    expect(inSendingWindow(nineToFive, new Date('2026-11-28T09:00:00Z'))).toBe(false);
    const tokyoWeekdays = {
      timezone: 'Asia/Tokyo',
      windowStartMinute: null,
      windowEndMinute: null,
      windowDays: [1, 2, 3, 4, 5],
    };
    expect(inSendingWindow(tokyoWeekdays, new Date('2026-11-27T23:30:00Z'))).toBe(false);
    expect(inSendingWindow(tokyoWeekdays, new Date('2026-11-27T10:00:00Z'))).toBe(true);
  });

  it('is always open without a window', () => {
    expect(
      inSendingWindow(
        { timezone: 'UTC', windowStartMinute: null, windowEndMinute: null, windowDays: [] },
        new Date(),
      ),
    ).toBe(true);
  });
});
