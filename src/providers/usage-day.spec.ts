import { usageDay } from './usage-day.js';

describe('usageDay', () => {
  const at = new Date('2026-03-10T23:30:00Z');

  it("is the calendar date in the mailbox's zone, at UTC midnight", () => {
    expect(usageDay('UTC', at).toISOString()).toBe('2026-03-10T00:00:00.000Z');
    expect(usageDay('Europe/Paris', at).toISOString()).toBe('2026-03-11T00:00:00.000Z');
    expect(usageDay('America/Los_Angeles', at).toISOString()).toBe('2026-03-10T00:00:00.000Z');
  });

  it('falls back to UTC for an unknown zone', () => {
    expect(usageDay('Mars/Olympus', at).toISOString()).toBe('2026-03-10T00:00:00.000Z');
  });
});
