import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildTestApp, type TestApp } from '../helpers/test-app.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
let t: TestApp;

/** `playerpass maintenance …` in a process of its own, on the test app's store and key file. */
async function cli(...args: string[]): Promise<string> {
  const env: Record<string, string> = { PLAYERPASS_DATA_DIR: t.dataDir, PLAYERPASS_LOG_LEVEL: 'warn' };
  if (t.databaseUrl) env.PLAYERPASS_DATABASE_URL = t.databaseUrl;
  if (process.env.PATH) env.PATH = process.env.PATH;
  const { stdout } = await promisify(execFile)(process.execPath, ['src/cli/main.ts', 'maintenance', ...args], { cwd: root, env });
  return stdout;
}

before(async () => {
  t = await buildTestApp();
});
after(async () => {
  await t?.close();
});

test('playerpass maintenance set … then status; the running node follows within a second', async () => {
  const message = 'Joining is paused until 14:00 UTC.';
  const set = await cli('set', 'join', 'off', '--message', message);
  assert.match(set, /join is now off — "Joining is paused until 14:00 UTC\."/);

  const status = await cli('status');
  assert.match(status, /^join\s+off\s+"Joining is paused until 14:00 UTC\."\s+\(since .* by cli\)$/m);
  assert.match(status, /^sign_in\s+on$/m);
  assert.equal(status.trim().split('\n').length, 5, 'one line per capability');

  // The node in this process never heard of the change: it reads it from the database.
  const start = Date.now();
  for (;;) {
    const page = await t.app.inject({ method: 'GET', url: '/join' });
    if (page.statusCode === 503) {
      assert.ok(page.body.includes(message));
      break;
    }
    if (Date.now() - start > 1500) assert.fail('the node did not see the change within 1.5 s');
    await sleep(20);
  }
  const events = await t.services.database.db.selectFrom('audit_events').select('data').where('type', '=', 'capability.changed').execute();
  assert.deepEqual(JSON.parse(events.at(-1)!.data), { actor: 'cli', name: 'join', state: 'off', withMessage: true });

  await assert.rejects(cli('set', 'join', 'sideways'), (error: { code?: number; stdout?: string }) => error.code === 2 && /on, off or read_only/.test(error.stdout ?? ''));
});
