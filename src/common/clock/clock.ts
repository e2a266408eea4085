import { Global, Module, type DynamicModule } from '@nestjs/common';

/**
 * The engine's one source of "now" for business time: schedules, business hours, sending windows,
 * daily caps and the timestamps users see. Production uses the system clock; tests inject their
 * own (through DI, never through a branch in production code) to run weeks of schedule in seconds.
 * Rate gaps between sends are real time and use the database clock instead.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now() {
    return new Date();
  }
}

/** Provides `Clock` everywhere: the system clock unless the app is created with another. */
@Global()
@Module({})
export class ClockModule {
  static forRoot(clock: Clock = new SystemClock()): DynamicModule {
    return { module: ClockModule, providers: [{ provide: Clock, useValue: clock }], exports: [Clock] };
  }
}
