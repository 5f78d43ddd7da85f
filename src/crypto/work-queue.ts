import { PassError } from '../domain/errors.ts';

/**
 * Runs at most `concurrency` jobs at once and lets at most `maxWaiting` wait; past that it refuses
 * at once with `overloaded` (503 + Retry-After) instead of letting latency grow without bound.
 */
export interface WorkQueue {
  run<T>(job: () => Promise<T>): Promise<T>;
  stats(): { running: number; waiting: number };
}

export function createWorkQueue(concurrency: number, maxWaiting: number): WorkQueue {
  let running = 0;
  const waiting: (() => void)[] = [];

  const release = () => {
    running -= 1;
    const next = waiting.shift();
    if (next) {
      running += 1;
      next();
    }
  };

  return {
    async run(job) {
      if (running >= concurrency) {
        if (waiting.length >= maxWaiting) throw new PassError('overloaded', { retryAfterSeconds: 1 });
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        running += 1;
      }
      try {
        return await job();
      } finally {
        release();
      }
    },
    stats: () => ({ running, waiting: waiting.length }),
  };
}
