import type { Clock } from '../../src/domain/clock.ts';

/** A clock the test moves by hand, to reach expiry times without waiting for them. */
export interface FakeClock extends Clock {
  advance(ms: number): void;
}

export function fakeClock(start = Date.now()): FakeClock {
  let now = start;
  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
  };
}
