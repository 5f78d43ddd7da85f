import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/helpers/webhook-receiver.ts';
import { createFieldCipher } from '../../crypto/field-cipher.ts';
import { keyringFromJson, newKeyringJson } from '../../crypto/keyring.ts';
import { migrateToLatest } from '../../store/migrate.ts';
import type { Tables } from '../../store/tables.ts';
import type { AuditTrail } from '../audit/trail.ts';
import { MAX_ATTEMPTS, retryDelayMs, TIMEOUT_MS } from './dispatcher.ts';
import { createWebhooks } from './index.ts';
import { WebhookError } from './registry.ts';
import { signWebhook, verifyWebhookSignature } from './signature.ts';

function fakeClock(start = 1_700_000_000_000) {
  return { time: start, now() { return this.time; } };
}

function recordingLogger() {
  const entries: { level: string; obj: object; msg: string | undefined }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void entries.push({ level, obj, msg });
  return { entries, info: at('info'), warn: at('warn'), error: at('error') };
}

async function setup(t: TestContext, options: { allowHttp?: boolean } = {}) {
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: new SqliteDatabase(':memory:') }) });
  t.after(() => db.destroy());
  await migrateToLatest(db);
  const clock = fakeClock();
  const logger = recordingLogger();
  // The receivers are local node:http servers: http:// is allowed here as PLAYERPASS_WEBHOOKS_ALLOW_HTTP=true does.
  const cipher = createFieldCipher(keyringFromJson(newKeyringJson(), 'test keyring'));
  const webhooks = createWebhooks({ db, cipher, clock, logger, allowHttp: options.allowHttp ?? true });
  t.after(() => webhooks.dispatcher.stop());
  return { db, cipher, clock, logger, webhooks };
}

async function receiver(t: TestContext): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver();
  t.after(() => r.close());
  return r;
}

const deliveryRows = (db: Kysely<Tables>) => db.selectFrom('webhook_deliveries').selectAll().execute();
const alarm = { type: 'alarm.raised', memberId: 'm-1', ipPrefix: '203.0.113.0/24', data: { kind: 'canary_used', via: 'sign_in' } };

test('the signature is v1=<hex HMAC-SHA256(secret, timestamp.body)> and verifies only unchanged', () => {
  const secret = 'whsec_test';
  const signature = signWebhook(secret, '1700000000', '{"a":1}');
  assert.match(signature, /^v1=[0-9a-f]{64}$/);
  assert.equal(signature, `v1=${createHmac('sha256', secret).update('1700000000.{"a":1}').digest('hex')}`);
  assert.ok(verifyWebhookSignature(secret, '1700000000', '{"a":1}', signature));
  assert.ok(!verifyWebhookSignature(secret, '1700000001', '{"a":1}', signature), 'another timestamp');
  assert.ok(!verifyWebhookSignature(secret, '1700000000', '{"a":2}', signature), 'another body');
  assert.ok(!verifyWebhookSignature('whsec_other', '1700000000', '{"a":1}', signature), 'another secret');
  assert.ok(!verifyWebhookSignature(secret, '1700000000', '{"a":1}', undefined));
});

test('a delivery that gets 500 is retried after 5 s and then delivered, signed, with the documented headers', async (t) => {
  const { db, clock, webhooks } = await setup(t);
  const r = await receiver(t);
  const { webhook, secret } = await webhooks.registry.add({ url: r.url, events: ['alarm.raised'] });
  r.answers.push(500);

  assert.equal(await webhooks.publisher.publish(alarm), 1);
  assert.equal(await webhooks.dispatcher.drain(), 0);
  let [row] = await deliveryRows(db);
  assert.equal(row!.status, 'queued');
  assert.equal(row!.attempts, 1);
  assert.equal(row!.last_status, 500);
  assert.equal(Number(row!.next_attempt_at), clock.time + 5_000);

  clock.time += 4_999;
  assert.equal(await webhooks.dispatcher.drain(), 0, 'not due before the back-off');
  assert.equal(r.received.length, 1);
  clock.time += 1;
  assert.equal(await webhooks.dispatcher.drain(), 1);
  [row] = await deliveryRows(db);
  assert.equal(row!.status, 'delivered');
  assert.equal(row!.attempts, 2);
  assert.equal(row!.last_status, 200);

  const last = r.received[1]!;
  assert.equal(last.headers['content-type'], 'application/json');
  assert.equal(last.headers['playerpass-event'], 'alarm.raised');
  assert.equal(last.headers['playerpass-delivery'], row!.id);
  assert.equal(last.headers['playerpass-timestamp'], String(Math.floor(clock.time / 1000)));
  assert.ok(verifyWebhookSignature(secret, String(last.headers['playerpass-timestamp']), last.body, String(last.headers['playerpass-signature'])));
  const body = JSON.parse(last.body);
  assert.deepEqual({ ...body, id: undefined, time: undefined }, {
    id: undefined,
    time: undefined,
    type: 'alarm.raised',
    memberId: 'm-1',
    ipPrefix: '203.0.113.0/24',
    data: { kind: 'canary_used', via: 'sign_in' },
  });
  assert.equal(r.received[0]!.body, last.body, 'a retry sends the same event');
  assert.equal(webhook.events[0], 'alarm.raised');
});

test('a delivery is abandoned after 8 attempts, with back-off doubling from 5 s', async (t) => {
  const { db, clock, logger, webhooks } = await setup(t);
  const r = await receiver(t);
  r.otherwise = 503;
  await webhooks.registry.add({ url: r.url, events: ['*'] });
  await webhooks.publisher.publish(alarm);

  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    await webhooks.dispatcher.drain();
    const [row] = await deliveryRows(db);
    assert.equal(row!.attempts, attempt);
    if (attempt < MAX_ATTEMPTS) {
      assert.equal(row!.status, 'queued');
      assert.equal(Number(row!.next_attempt_at) - clock.time, 5_000 * 2 ** (attempt - 1));
      clock.time += retryDelayMs(attempt);
    } else {
      assert.equal(row!.status, 'abandoned');
      assert.equal(row!.last_status, 503);
    }
  }
  assert.equal(MAX_ATTEMPTS, 8);
  clock.time += 24 * 3_600_000;
  await webhooks.dispatcher.drain();
  assert.equal(r.received.length, 8, 'nothing more after abandoning');
  assert.ok(logger.entries.some((e) => e.level === 'error' && e.msg === 'webhook delivery abandoned'));
});

test('a receiver that does not answer times out and is retried', async (t) => {
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: new SqliteDatabase(':memory:') }) });
  t.after(() => db.destroy());
  await migrateToLatest(db);
  const hanging = (async (_url: string, init: RequestInit) =>
    new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)))) as unknown as typeof fetch;
  const cipher = createFieldCipher(keyringFromJson(newKeyringJson(), 'k'));
  // 10 s in production; shortened here, the dispatcher's own abort signal is what ends the request.
  assert.equal(TIMEOUT_MS, 10_000);
  const webhooks = createWebhooks({ db, cipher, clock: fakeClock(), logger: recordingLogger(), allowHttp: false, fetch: hanging, timeoutMs: 50 });
  await webhooks.registry.add({ url: 'https://hooks.example.test/x', events: ['alarm.raised'] });
  await webhooks.publisher.publish(alarm);
  assert.equal(await webhooks.dispatcher.drain(), 0);
  const [row] = await deliveryRows(db);
  assert.equal(row!.status, 'queued');
  assert.equal(row!.last_error, 'timed out');
});

test('payloads carry no secret, email, name or token; the secret is stored encrypted', async (t) => {
  const { db, webhooks } = await setup(t);
  const r = await receiver(t);
  const { secret } = await webhooks.registry.add({ url: r.url, events: ['member.*', 'alarm.raised', 'password.changed'] });
  await webhooks.publisher.publish({ type: 'member.joined', memberId: 'm-2', ipPrefix: '198.51.100.0/24' });
  await webhooks.publisher.publish({ type: 'member.details_changed', memberId: 'm-2', data: { displayName: true, birthDate: false } });
  // A careless caller: the publisher drops what looks like personal data or a secret.
  await webhooks.publisher.publish({
    type: 'password.changed',
    memberId: 'm-2',
    data: { resetToken: 'tok_abc', newEmail: 'zoe@example.test', contact: 'zoe@example.test', displayName: 'Zoë', otherSessionsRevoked: true, count: 3 },
  });
  assert.equal(await webhooks.dispatcher.drain(), 3);

  const rows = await deliveryRows(db);
  const stored = JSON.stringify(await db.selectFrom('webhooks').selectAll().execute());
  assert.ok(!stored.includes(secret), 'the secret is not in the webhooks table in clear');
  for (const text of [...rows.map((row) => row.payload), ...r.received.map((hit) => hit.body), JSON.stringify(r.received.map((hit) => hit.headers))]) {
    assert.ok(!text.includes(secret), 'no secret');
    assert.ok(!text.includes('@'), 'no email');
    assert.ok(!text.includes('tok_abc') && !text.includes('Zoë'), 'no token, no name');
  }
  const careless = JSON.parse(r.received.find((hit) => hit.headers['playerpass-event'] === 'password.changed')!.body);
  assert.deepEqual(careless.data, { otherSessionsRevoked: true, count: 3 });
  const details = JSON.parse(r.received.find((hit) => hit.headers['playerpass-event'] === 'member.details_changed')!.body);
  assert.deepEqual(details.data, { displayName: true, birthDate: false }, 'flags saying which field changed stay');
});

test('only subscribed, webhook-able event types are queued', async (t) => {
  const { db, webhooks } = await setup(t);
  await webhooks.registry.add({ url: 'https://a.example.test/hook', events: ['alarm.raised'] });
  await webhooks.registry.add({ url: 'https://b.example.test/hook', events: ['*'] });
  const removed = await webhooks.registry.add({ url: 'https://c.example.test/hook', events: ['*'] });
  assert.ok(await webhooks.registry.remove(removed.webhook.id));
  assert.ok(!(await webhooks.registry.remove(removed.webhook.id)), 'removing twice');
  assert.equal(await webhooks.publisher.publish({ type: 'sign_in.failed', memberId: 'm' }), 0, 'not a webhook event');
  assert.equal(await webhooks.publisher.publish({ type: 'session.revoked', memberId: 'm', data: { sessionId: 's' } }), 1);
  assert.equal(await webhooks.publisher.publish(alarm), 2);
  assert.equal(await webhooks.publisher.publish({ type: 'incident.opened' }), 1, 'incident.* is webhook-able');
  assert.equal((await deliveryRows(db)).length, 4);
  assert.equal((await webhooks.registry.list()).filter((w) => w.disabledAt !== null).length, 1);
  await assert.rejects(webhooks.registry.add({ url: 'https://a.example.test/', events: ['sign_in.failed'] }), WebhookError);
  await assert.rejects(webhooks.registry.add({ url: 'https://a.example.test/', events: ['member.joind'] }), WebhookError);
  await assert.rejects(webhooks.registry.add({ url: 'https://a.example.test/', events: [] }), WebhookError);
});

test('http:// URLs are refused unless allowed, and so are URLs with credentials', async (t) => {
  const strict = await setup(t, { allowHttp: false });
  await assert.rejects(strict.webhooks.registry.add({ url: 'http://hooks.example.test/x', events: ['*'] }), /https:\/\//);
  await assert.rejects(strict.webhooks.registry.add({ url: 'ftp://hooks.example.test/x', events: ['*'] }), WebhookError);
  await assert.rejects(strict.webhooks.registry.add({ url: 'not a url', events: ['*'] }), WebhookError);
  await assert.rejects(strict.webhooks.registry.add({ url: 'https://user:pw@hooks.example.test/x', events: ['*'] }), /credentials/);
  await strict.webhooks.registry.add({ url: 'https://hooks.example.test/x', events: ['member.joined'] });

  // Registered while http:// was allowed, delivered by a worker that no longer allows it: abandoned.
  const r = await receiver(t);
  const relaxed = createWebhooks({ db: strict.db, cipher: strict.cipher, clock: strict.clock, logger: recordingLogger(), allowHttp: true });
  await relaxed.registry.add({ url: r.url, events: ['alarm.raised'] });
  await strict.webhooks.publisher.publish(alarm);
  await strict.webhooks.dispatcher.drain();
  assert.equal(r.received.length, 0);
  const abandoned = (await deliveryRows(strict.db)).filter((row) => row.status === 'abandoned');
  assert.equal(abandoned.length, 1);
  assert.match(abandoned[0]!.last_error!, /https:\/\//);
});

test('the publishing audit trail records first and never fails the request when publishing fails', async (t) => {
  const { webhooks, logger, db } = await setup(t);
  const recorded: string[] = [];
  const trail: AuditTrail = { record: async (event) => void recorded.push(event.type) };
  await webhooks.registry.add({ url: 'https://a.example.test/hook', events: ['*'] });
  const publishing = webhooks.publishing(trail);
  await publishing.record(alarm);
  assert.equal((await deliveryRows(db)).length, 1);
  await db.schema.dropTable('webhook_deliveries').execute();
  await publishing.record(alarm);
  assert.deepEqual(recorded, ['alarm.raised', 'alarm.raised']);
  assert.ok(logger.entries.some((e) => e.level === 'error' && e.msg?.startsWith('webhook publishing failed')));
  await assert.rejects(webhooks.publishing({ record: async () => Promise.reject(new Error('audit down')) }).record(alarm), /audit down/);
});
