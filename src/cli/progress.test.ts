import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProgress, formatDuration, progressLine } from './progress.ts';

test('a progress line shows done/total, share, rate and time left', () => {
  assert.equal(progressLine('revoking', 3000, 6000, 2000), `revoking [${'#'.repeat(14)}${'-'.repeat(14)}] 3000/6000  50%  1500/s  ETA 0:02`);
  assert.equal(progressLine('scoping', 1200, undefined, 1000), 'scoping 1200  1200/s');
  assert.equal(formatDuration(3_725_000), '1:02:05');
});

test('a terminal gets one redrawn line; a pipe gets throttled plain lines', () => {
  let clock = 0;
  const tty = { isTTY: true, text: '', write(t: string) { this.text += t; } };
  const bar = createProgress('notify', tty, () => clock);
  for (let done = 500; done <= 2000; done += 500) {
    clock += 200;
    bar.update(done, 2000);
  }
  bar.finish('done: 2000 members');
  assert.equal(tty.text.split('\r').length, 6);
  assert.ok(tty.text.endsWith('\r\x1b[Kdone: 2000 members\n'));

  clock = 0;
  const pipe = { text: '', write(t: string) { this.text += t; } };
  const plain = createProgress('notify', pipe, () => clock);
  for (let done = 500; done <= 2000; done += 500) {
    clock += 200;
    plain.update(done, 2000);
  }
  plain.finish('done');
  assert.ok(!pipe.text.includes('\r'));
  assert.deepEqual(pipe.text.trim().split('\n').length, 2, 'only the final update and the closing line within 2 s');
});
