import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../domain/clock.ts';
import { PassError } from '../../domain/errors.ts';
import { createLogger } from '../../logger.ts';
import { openDatabase, type Database } from '../../store/database.ts';
import { migrateToLatest } from '../../store/migrate.ts';
import { connectRedis } from '../../store/redis.ts';
import { CAPABILITY_CHANNEL, CAPABILITY_NAMES, CAPABILITY_RETRY_AFTER_SECONDS, createCapabilities, type Capabilities } from './capabilities.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'playerpass-capabilities-'));
const logger = createLogger('silent');
const opened: Database[] = [];
const started: Capabilities[] = [];
let database: Database;

function open(): Database {
  const db = openDatabase({ databaseUrl: undefined, dataDir, poolSize: 1 });
  opened.push(db);
  return db;
}

async function node(options: { refreshMs?: number; db?: Database; redis?: Awaited<ReturnType<typeof connectRedis>> } = {}): Promise<Capabilities> {
  const capabilities = createCapabilities({ db: (options.db ?? database).db, redis: options.redis, clock: systemClock, logger, ...(options.refreshMs ? { refreshMs: options.refreshMs } : {}) });
  await capabilities.start();
  started.push(capabilities);
  return capabilities;
}

function refusal(run: () => void): PassError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof PassError);
    return error;
  }
  assert.fail('expected capability_offline');
}

async function until(check: () => boolean, withinMs: number): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > withinMs) assert.fail(`not within ${withinMs} ms`);
    await sleep(10);
  }
  return Date.now() - start;
}

before(async () => {
  database = open();
  await migrateToLatest(database.db);
});
after(async () => {
  for (const capabilities of started) await capabilities.stop();
  for (const db of opened) await db.close().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

test('a capability without a row is on, and require() lets it through', async () => {
  const capabilities = await node();
  for (const name of CAPABILITY_NAMES) {
    assert.equal(capabilities.state(name), 'on');
    assert.equal(capabilities.message(name), undefined);
    capabilities.require(name, 'write');
    capabilities.require(name, 'read');
  }
  assert.deepEqual(
    capabilities.snapshot().map((s) => s.name),
    [...CAPABILITY_NAMES],
  );
});

test('off refuses reads and writes with 503 capability_offline, Retry-After and the public message', async () => {
  const capabilities = await node();
  await capabilities.set('password_reset', 'off', '  Resets are paused until 14:00 UTC.  ', 'cli');
  assert.equal(capabilities.state('password_reset'), 'off');
  assert.equal(capabilities.message('password_reset'), 'Resets are paused until 14:00 UTC.');
  for (const mode of ['write', 'read'] as const) {
    const error = refusal(() => capabilities.require('password_reset', mode));
    assert.equal(error.code, 'capability_offline');
    assert.equal(error.status, 503);
    assert.equal(error.message, 'Resets are paused until 14:00 UTC.');
    assert.equal(error.retryAfterSeconds, CAPABILITY_RETRY_AFTER_SECONDS);
  }
  capabilities.require('join', 'write');
  capabilities.require('sign_in', 'write');

  await capabilities.set('password_reset', 'on', 'ignored', 'cli');
  capabilities.require('password_reset', 'write');
  assert.equal(capabilities.message('password_reset'), undefined, 'a capability that is on has no message');
});

test('read_only refuses writes and lets reads through', async () => {
  const capabilities = await node();
  await capabilities.set('profile_changes', 'read_only', 'Profiles are read-only during the migration.', 'admin_api');
  capabilities.require('profile_changes', 'read');
  assert.equal(refusal(() => capabilities.require('profile_changes', 'write')).message, 'Profiles are read-only during the migration.');
  await capabilities.set('profile_changes', 'on', undefined, 'admin_api');
});

test('without a message the refusal carries the catalogue text', async () => {
  const capabilities = await node();
  await capabilities.set('join', 'off', '   ', 'cli');
  const error = refusal(() => capabilities.require('join', 'write'));
  assert.match(error.message, /switched off for maintenance/);
  await capabilities.set('join', 'on', undefined, 'cli');
});

test('bad input is refused before anything is written', async () => {
  const capabilities = await node();
  await assert.rejects(capabilities.set('sign_in', 'off', 'x'.repeat(501), 'cli'), /longer than 500/);
  await assert.rejects(capabilities.set('nope' as 'join', 'off', undefined, 'cli'), /unknown capability/);
  await assert.rejects(capabilities.set('join', 'maybe' as 'off', undefined, 'cli'), /unknown state/);
  assert.equal(capabilities.state('sign_in'), 'on');
});

test('the cache is only a cache: another node reads the database again within a second', async () => {
  const writer = await node();
  const reader = await node({ db: open() });
  await writer.set('oidc', 'off', 'OIDC is down.', 'cli');
  const waited = await until(() => reader.state('oidc') === 'off', 1500);
  assert.ok(waited <= 1500);
  assert.equal(reader.message('oidc'), 'OIDC is down.');
  await writer.set('oidc', 'on', undefined, 'cli');
  await until(() => reader.state('oidc') === 'on', 1500);
});

test('a state the code does not know fails closed; a name it does not know is ignored', async () => {
  await database.db
    .insertInto('capabilities')
    .values([
      { name: 'sign_in', state: 'paused' as 'off', message: null, updated_at: 1, updated_by: null },
      { name: 'teleport', state: 'off', message: null, updated_at: 1, updated_by: null },
    ])
    .execute();
  try {
    const capabilities = await node();
    assert.equal(capabilities.state('sign_in'), 'off');
    assert.equal(capabilities.snapshot().length, CAPABILITY_NAMES.length);
  } finally {
    await database.db.deleteFrom('capabilities').where('name', 'in', ['sign_in', 'teleport']).execute();
  }
});

test('when the database cannot be read, the last known state stays', async () => {
  const writer = await node();
  await writer.set('join', 'off', 'Joining paused.', 'cli');
  const own = open();
  const reader = await node({ db: own, refreshMs: 20 });
  assert.equal(reader.state('join'), 'off');
  await own.close();
  await sleep(100);
  assert.equal(reader.state('join'), 'off');
  assert.equal(reader.message('join'), 'Joining paused.');
  await writer.set('join', 'on', undefined, 'cli');
});

test('with Redis, a change reaches the other node at once (not on the next poll)', async () => {
  const redisUrl = 'redis://127.0.0.1:6379/6';
  const redisA = await connectRedis(redisUrl, logger);
  const redisB = await connectRedis(redisUrl, logger);
  try {
    // Polls a minute apart: only the pub/sub message can bring the change within the second.
    const a = await node({ redis: redisA, refreshMs: 60_000 });
    const b = await node({ redis: redisB, db: open(), refreshMs: 60_000 });
    await a.set('sign_in', 'off', 'Sign-in is paused.', 'admin_api');
    const waited = await until(() => b.state('sign_in') === 'off', 1000);
    assert.ok(waited < 1000);
    assert.equal(b.message('sign_in'), 'Sign-in is paused.');
    // A stray message (another deployment on the same Redis) only makes a node read its own database again.
    await redisA.publish(CAPABILITY_CHANNEL, 'anything');
    await b.set('sign_in', 'on', undefined, 'admin_api');
    await until(() => a.state('sign_in') === 'on', 1000);
    await a.stop();
    await b.stop();
  } finally {
    redisA.disconnect();
    redisB.disconnect();
  }
});
