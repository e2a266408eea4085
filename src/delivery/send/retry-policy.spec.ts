import { retryDelayMs } from './retry-policy.js';

describe('retryDelayMs', () => {
  it('doubles per attempt within ±20 % jitter', () => {
    expect(retryDelayMs(1, 1000, undefined, () => 0.5)).toBe(1000);
    expect(retryDelayMs(3, 1000, undefined, () => 0.5)).toBe(4000);
    expect(retryDelayMs(2, 1000, undefined, () => 0)).toBe(1600);
    expect(retryDelayMs(2, 1000, undefined, () => 1)).toBe(2400);
  });

  it('never retries before Retry-After', () => {
    expect(retryDelayMs(1, 1000, 30000, () => 0.5)).toBe(30000);
  });
});
