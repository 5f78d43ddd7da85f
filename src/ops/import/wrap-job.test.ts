import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkQueue } from '../../crypto/work-queue.ts';
import { createProgress, duration } from './progress.ts';
import { createIdleWrapper, type WrapJob, type WrapRunOptions } from './wrap-job.ts';

test('the idle wrapper works only while the hash queue is idle, resumes from its cursor, and stop waits for it', async () => {
  const stats = { running: 0, waiting: 0, completed: 0 };
  const queue: WorkQueue = { run: (job) => job(), stats: () => stats };
  const runs: WrapRunOptions[] = [];
  let pending = 100;
  const job: WrapJob = {
    remaining: async () => pending,
    async run(options = {}) {
      runs.push(options);
      let wrapped = 0;
      while (pending > 0 && wrapped < (options.limit ?? Infinity) && options.shouldContinue!()) {
        await sleep(1);
        pending--;
        wrapped++;
      }
      return { wrapped, failed: 0, done: pending === 0, cursor: `after-${100 - pending}` };
    },
  };
  const wrapper = createIdleWrapper({ job, queue, idleMs: 5, quietMs: 10_000 });

  stats.running = 1; // members are signing in
  wrapper.start();
  await sleep(40);
  assert.equal(runs.length, 0, 'nothing while the queue is busy');

  stats.running = 0;
  for (let waited = 0; pending > 100 - 40 && waited < 5000; waited += 5) await sleep(5);
  assert.ok(runs.length >= 2 && pending <= 100 - 40, 'wraps once idle, run after run');
  assert.ok(runs.every((r) => r.concurrency === 1), 'one hash at a time');
  assert.match(runs[0]!.after!, /^[\w-]{22}$/, 'the first run starts at a random member id');
  assert.equal(runs[1]!.after, 'after-32', 'the next run starts where the last stopped');

  stats.waiting = 3; // a burst of sign-ins: the run in hand pauses before its next hash
  const paused = pending;
  await sleep(30);
  assert.ok(paused - pending <= 1);
  stats.waiting = 0;
  await wrapper.stop();
  const stopped = pending;
  await sleep(30);
  assert.equal(pending, stopped, 'nothing after stop');
});

test('progress: a redrawn line on a terminal, plain lines otherwise, with rate and ETA', () => {
  let clock = 0;
  const written: string[] = [];
  const plain = createProgress({ label: 'import', unit: 'rows', out: { write: (s: string) => written.push(s) }, plainEveryMs: 1000, now: () => clock });
  clock = 500;
  plain.update(500, 0.25);
  assert.equal(written.length, 0, 'not before the interval');
  clock = 2000;
  plain.update(2000, 0.5, 'rejected 3');
  assert.deepEqual(written, ['import: 2,000 rows  1,000 rows/s  50.0%  ETA 2s  rejected 3\n']);

  const tty: string[] = [];
  const bar = createProgress({ label: 'wrap', unit: 'hashes', out: { write: (s: string) => tty.push(s), isTTY: true }, now: () => clock });
  clock = 62_000;
  bar.update(600, 0.1);
  bar.finish(600, 0.1);
  assert.match(tty[0]!, /^\rwrap: 600 hashes {2}10 hashes\/s {2}10\.0% {2}ETA 9m00s\u001b\[K$/);
  assert.match(tty[1]!, /\n$/);
  assert.equal(duration(3 * 3600 + 120), '3h02m');
});
