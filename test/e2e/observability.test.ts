import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { createReadiness } from '../../src/ops/readiness.ts';
import { buildTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * What an operator's monitoring reads: /readyz names each failing dependency (so a load balancer
 * stops sending a node traffic it cannot serve), and /metrics times requests by route pattern.
 */
const REDIS_URL = 'redis://127.0.0.1:6379/6';
let t: TestApp;

before(async () => {
  t = await buildTestApp({ env: { PLAYERPASS_REDIS_URL: REDIS_URL } });
});
after(() => t.close());

const metricValue = (text: string, prefix: string) => {
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
};

test('/readyz checks the store, Redis and the schema', async () => {
  const ready = await t.api('GET', '/readyz');
  assert.equal(ready.statusCode, 200);
  assert.deepEqual(ready.json(), { status: 'ready', checks: { store: 'ok', migrations: 'ok', redis: 'ok' } });
});

test('a database missing a migration this code needs is not ready', async () => {
  const fresh = await buildTestApp();
  try {
    const db = fresh.services.database.db;
    const last = await db.selectFrom('kysely_migration' as never).select('name' as never).orderBy('name' as never, 'desc').executeTakeFirstOrThrow() as { name: string };
    await db.deleteFrom('kysely_migration' as never).where('name' as never, '=', last.name as never).execute();
    const answer = await fresh.api('GET', '/readyz');
    assert.equal(answer.statusCode, 503);
    assert.deepEqual(answer.json(), { status: 'unavailable', checks: { store: 'ok', migrations: 'failing' } });
  } finally {
    await fresh.close();
  }
});

test('a lost Redis connection makes a node not ready, and it recovers with the connection', async () => {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0 });
  await redis.connect();
  const readiness = createReadiness({ ping: async () => {}, db: t.services.database.db, redis });
  try {
    assert.equal((await readiness.check()).checks.redis, 'ok');
    redis.disconnect();
    const down = await readiness.check();
    assert.equal(down.ready, false);
    assert.equal(down.checks.redis, 'failing');
    await redis.connect();
    assert.deepEqual(await readiness.check(), { ready: true, checks: { store: 'ok', migrations: 'ok', redis: 'ok' } });
  } finally {
    redis.disconnect();
  }
});

test('/metrics times requests by route pattern, never by the URL itself', async () => {
  await t.api('POST', '/api/v1/sessions', { body: { email: 'nobody@example.com', password: 'not a real password' } });
  await t.api('GET', '/api/v1/me/sessions/some-session-id-from-the-url');
  await t.api('GET', '/no/such/page/with-a-secret-in-it');
  const metrics = (await t.api('GET', '/metrics')).body;
  assert.ok((metricValue(metrics, 'playerpass_http_request_duration_seconds_count{method="POST",route="/api/v1/sessions",status="401"}') ?? 0) >= 1);
  assert.ok((metricValue(metrics, 'playerpass_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}') ?? 0) >= 1);
  assert.ok(!metrics.includes('some-session-id-from-the-url') && !metrics.includes('with-a-secret-in-it'));
  assert.ok(!metrics.includes('nobody@example.com'));
});

test('/metrics shows the mail backlog and the hash queue', async () => {
  const before = metricValue((await t.api('GET', '/metrics')).body, 'playerpass_outbox_backlog') ?? -1;
  const joined = await t.api('POST', '/api/v1/members', { body: { displayName: 'Metered Mia', email: 'mia.metered@example.com', birthDate: '1994-02-03', password: 'mia counts her mails' } });
  assert.equal(joined.statusCode, 202);
  const metrics = (await t.api('GET', '/metrics')).body;
  assert.equal(metricValue(metrics, 'playerpass_outbox_backlog'), before + 1);
  assert.equal(metricValue(metrics, 'playerpass_hash_queue_depth'), 0);
  assert.ok(metrics.includes('playerpass_hash_queue_wait_seconds_count'));
  await t.deliverMail();
  assert.equal(metricValue((await t.api('GET', '/metrics')).body, 'playerpass_outbox_backlog'), before);
});
