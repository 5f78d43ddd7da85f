import { PassError } from '../domain/errors.ts';

/**
 * Runs at most `concurrency` jobs at once and lets at most `maxWaiting` wait; past that it refuses
 * at once with `overloaded` (503 + Retry-After) instead of letting latency grow without bound.
 */
export interface WorkQueue {
  run<T>(job: () => Promise<T>): Promise<T>;
  /** `completed` counts finished jobs since start: hashes done, for metrics and tests. */
  stats(): { running: number; waiting: number; completed: number };
}

/** `onWait` hears how long each job that had to queue waited for its turn (ms). */
export function createWorkQueue(concurrency: number, maxWaiting: number, onWait?: (ms: number) => void): WorkQueue {
  let running = 0;
  let completed = 0;
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
        const queuedAt = performance.now();
        await new Promise<void>((resolve) => waiting.push(resolve));
        onWait?.(performance.now() - queuedAt);
      } else {
        running += 1;
      }
      try {
        return await job();
      } finally {
        completed += 1;
        release();
      }
    },
    stats: () => ({ running, waiting: waiting.length, completed }),
  };
}
