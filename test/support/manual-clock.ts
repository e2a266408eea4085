import { Clock } from '../../src/common/clock/clock.js';

/**
 * A clock a test controls. Frozen by default: it only moves when told to. With `running: true`
 * it follows real time shifted by whatever the test added, so retries and timers still come due
 * while the test jumps ahead by days.
 */
export class ManualClock extends Clock {
  private base: number;
  private readonly startedAt = Date.now();

  constructor(
    start: Date | string = new Date(),
    private readonly options: { running?: boolean } = {},
  ) {
    super();
    this.base = new Date(start).getTime();
  }

  now() {
    return new Date(this.base + (this.options.running ? Date.now() - this.startedAt : 0));
  }

  set(at: Date | string) {
    this.base += new Date(at).getTime() - this.now().getTime();
  }

  advance(ms: number) {
    this.base += ms;
  }
}
