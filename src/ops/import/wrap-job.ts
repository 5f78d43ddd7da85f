import type { Logger } from 'pino';
import type { PasswordHasher, StoredPassword } from '../../crypto/password-hasher.ts';
import type { WorkQueue } from '../../crypto/work-queue.ts';
import type { Clock } from '../../domain/clock.ts';
import { pooledRandomId } from '../../crypto/random-pool.ts';
import type { LegacyMemberRepository } from '../../store/legacy-members.ts';

/**
 * Replaces each `pending:<scheme>` password (the legacy digest, encrypted) with `wrapped:<scheme>`
 * (argon2id of the digest, with the pepper), through the hasher's bounded queue. Resumable by
 * construction: it only ever looks for rows still pending, in member id order, so a stopped run, a
 * second process or the server's idle loop simply carry on. Each row is replaced only if it still
 * holds the secret the wrap was made from, so a member who signs in meanwhile (and gets a plain
 * argon2id) is never overwritten. Sign-in verifies both states, so it works at every moment.
 */
export interface WrapJob {
  remaining(): Promise<number>;
  run(options?: WrapRunOptions): Promise<WrapRunResult>;
}

export interface WrapRunOptions {
  /** Hashes at once (default 1). */
  concurrency?: number;
  /** Stop after this many rows (default: all). */
  limit?: number;
  /** Asked before each hash; false pauses the run (it returns, to be called again later). */
  shouldContinue?: () => boolean;
  onProgress?: (progress: { wrapped: number; failed: number }) => void;
  /** Start after this member id (a previous run's `cursor`), so rows that failed are not retried at once. */
  after?: string;
}

export interface WrapRunResult {
  wrapped: number;
  /** Rows that could not be wrapped (undecryptable: a missing legacy key or a tampered row); logged. */
  failed: number;
  /** True when no pending row was left past where this run started. */
  done: boolean;
  /** The last member id looked at. */
  cursor: string;
}

const BATCH = 64;

export function createWrapJob(deps: { repo: LegacyMemberRepository; hasher: PasswordHasher; clock: Clock; logger?: Pick<Logger, 'warn'> }): WrapJob {
  return {
    remaining: () => deps.repo.countPending(),
    async run(options = {}) {
      const concurrency = Math.max(1, options.concurrency ?? 1);
      const limit = options.limit ?? Number.POSITIVE_INFINITY;
      const shouldContinue = options.shouldContinue ?? (() => true);
      let after = options.after ?? '';
      let wrapped = 0;
      let failed = 0;
      for (;;) {
        const budget = Math.min(BATCH, limit - wrapped - failed);
        if (budget <= 0 || !shouldContinue()) return { wrapped, failed, done: false, cursor: after };
        const rows = await deps.repo.pending(after, budget);
        if (rows.length === 0) return { wrapped, failed, done: true, cursor: after };

        const replacements: { pending: StoredPassword; wrapped: StoredPassword }[] = [];
        let next = 0;
        let paused = false;
        const worker = async () => {
          while (next < rows.length && !paused) {
            if (!shouldContinue()) {
              paused = true;
              return;
            }
            const pending = rows[next++]!;
            after = pending.memberId!;
            try {
              replacements.push({ pending, wrapped: await deps.hasher.wrapLegacy(pending) });
            } catch (error) {
              failed++;
              deps.logger?.warn({ memberId: pending.memberId, err: (error as Error).message }, 'legacy password could not be wrapped');
            }
          }
        };
        await Promise.all(Array.from({ length: concurrency }, worker));
        // Written per batch, outside any hash: one short transaction for up to 64 rows.
        if (replacements.length > 0) wrapped += await deps.repo.replacePending(replacements, deps.clock.now());
        options.onProgress?.({ wrapped, failed });
        if (paused) return { wrapped, failed, done: false, cursor: after };
      }
    },
  };
}

/**
 * The server's background wrapping: a low-priority loop that wraps a few rows at a time, one hash at
 * a time, and only while the hash queue is otherwise idle, so members signing in never wait behind
 * it (with the default 2 hash slots one stays free). Its timer is unref'd; `stop` waits for the hash
 * in hand.
 */
export interface IdleWrapper {
  start(): void;
  stop(): Promise<void>;
}

export function createIdleWrapper(deps: { job: WrapJob; queue: WorkQueue; logger?: Pick<Logger, 'info' | 'warn'>; idleMs?: number; quietMs?: number }): IdleWrapper {
  const idleMs = deps.idleMs ?? 1_000;
  // Once nothing is pending, look again only now and then (an import may add more).
  const quietMs = deps.quietMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  // Each process starts at a random point of the member id space (`serve --workers N` runs one loop
  // per worker), so they mostly wrap different rows; each goes round to the start when at the end.
  let cursor = pooledRandomId();
  const queueIdle = () => {
    const stats = deps.queue.stats();
    return stats.running === 0 && stats.waiting === 0;
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(tick, ms);
    timer.unref();
  };
  const tick = () => {
    timer = undefined;
    if (stopped) return;
    if (!queueIdle()) return schedule(idleMs);
    const from = cursor;
    running = deps.job
      .run({ concurrency: 1, limit: 32, after: from, shouldContinue: () => !stopped && queueIdle() })
      .then(
        (result) => {
          if (result.wrapped > 0) deps.logger?.info({ wrapped: result.wrapped }, 'wrapped legacy passwords in the background');
          // At the end, go round from the first member (rows imported since, or failed before); a
          // whole round from the start that found nothing means there is nothing: look again later.
          cursor = result.done ? '' : result.cursor;
          schedule(!result.done ? 0 : from === '' && result.wrapped === 0 ? quietMs : idleMs);
        },
        (error: unknown) => {
          deps.logger?.warn({ err: (error as Error).message }, 'background legacy wrapping failed; retrying later');
          schedule(quietMs);
        },
      )
      .finally(() => (running = undefined));
  };
  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(idleMs);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
