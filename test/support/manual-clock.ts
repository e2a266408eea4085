import { Clock } from '../../src/common/clock/clock.js';

/** A clock a test moves by hand: starts at `start` and only moves when told to. */
export class ManualClock extends Clock {
  private current: number;

  constructor(start: Date | string = new Date()) {
    super();
    this.current = new Date(start).getTime();
  }

  now() {
    return new Date(this.current);
  }

  set(at: Date | string) {
    this.current = new Date(at).getTime();
  }

  advance(ms: number) {
    this.current += ms;
  }
}
