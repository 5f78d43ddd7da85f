import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { addCanary } from '../../src/ops/canaries/add.ts';
import { verifyWebhookSignature } from '../../src/ops/webhooks/signature.ts';
import { buildTestApp, type TestApp } from '../helpers/test-app.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

/**
 * Done when: a sign-in naming a canary's email raises the alarm and delivers the webhook to a test
 * receiver with a valid signature. The receiver is a local node:http server, so this suite sets
 * PLAYERPASS_WEBHOOKS_ALLOW_HTTP=true (production accepts https:// only).
 */
let t: TestApp;
let receiver: WebhookReceiver;
let secret: string;
let canary: { id: string; email: string };
const member = { displayName: 'Ordinary Olga', email: 'olga.ordinary@example.com', birthDate: '1991-04-05', password: 'olga has a long passphrase' };
let ip = 0;
const signIn = (email: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { email, password }, remoteAddress: `198.18.7.${++ip}` });
const requestReset = (email: string) => t.app.inject({ method: 'POST', url: '/api/v1/password-resets', payload: { email }, remoteAddress: `198.18.8.${++ip}` });

async function canaryAlarms(): Promise<{ member_id: string | null; ip_prefix: string | null; data: string }[]> {
  const rows = await t.services.database.db.selectFrom('audit_events').select(['member_id', 'ip_prefix', 'data']).where('type', '=', 'alarm.raised').orderBy('seq').execute();
  return rows.filter((row) => JSON.parse(row.data).kind === 'canary_used');
}
async function alarmMetric(): Promise<number> {
  const metrics = await (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = metrics.split('\n').find((l) => l.startsWith('playerpass_alarms_total{kind="canary_used"}'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

before(async () => {
  t = await buildTestApp({ env: { PLAYERPASS_WEBHOOKS_ALLOW_HTTP: 'true' } });
  receiver = await startWebhookReceiver();
  ({ secret } = await t.services.webhooks.registry.add({ url: receiver.url, events: ['alarm.raised'] }));
  canary = await addCanary(t.services.flows.store, t.services.flows.hasher, { domain: 'mail.example.org', clock: t.clock });

  assert.equal((await t.api('POST', '/api/v1/members', { body: member })).statusCode, 202);
  await t.deliverMail();
  const mail = await t.smtp.waitForMail((m) => /confirm your email/i.test(m.subject));
  assert.equal((await t.api('POST', '/api/v1/email-verifications', { body: { token: t.smtp.tokenIn(mail, '/verify') } })).statusCode, 200);
});
after(async () => {
  await t.close();
  await receiver.close();
});

test('a canary looks like a verified member at the operator domain, stored encrypted', async () => {
  assert.match(canary.email, /^[a-z0-9.]+@mail\.example\.org$/);
  const found = await t.services.flows.store.members.findByEmail(canary.email);
  assert.ok(found?.canary && found.emailVerified && found.status === 'active');
  const row = await t.services.database.db.selectFrom('members').selectAll().where('id', '=', canary.id).executeTakeFirstOrThrow();
  assert.ok(!JSON.stringify(row).includes(canary.email.split('@')[0]!), 'no address in clear');
});

test('a sign-in naming a canary answers like any member, raises the alarm and delivers a signed webhook', async () => {
  const ordinary = await signIn(member.email, 'not olga’s password');
  const canaryAnswer = await signIn(canary.email, 'any password at all');
  assert.equal(canaryAnswer.statusCode, 401);
  assert.equal(canaryAnswer.json().error.code, 'credentials_invalid');
  assert.deepEqual(canaryAnswer.json(), ordinary.json(), 'the very same answer as a wrong password for a real member');

  const alarms = await canaryAlarms();
  assert.equal(alarms.length, 1);
  assert.equal(alarms[0]!.member_id, canary.id);
  assert.equal(alarms[0]!.ip_prefix, '198.18.7.0/24');
  assert.deepEqual(JSON.parse(alarms[0]!.data), { kind: 'canary_used', via: 'sign_in' });
  assert.equal(await alarmMetric(), 1);

  assert.equal(await t.services.webhooks.dispatcher.drain(), 1);
  assert.equal(receiver.received.length, 1);
  const hit = receiver.received[0]!;
  assert.equal(hit.headers['playerpass-event'], 'alarm.raised');
  assert.ok(verifyWebhookSignature(secret, String(hit.headers['playerpass-timestamp']), hit.body, String(hit.headers['playerpass-signature'])), 'signature verifies with the secret shown at registration');
  const body = JSON.parse(hit.body);
  assert.equal(body.type, 'alarm.raised');
  assert.equal(body.memberId, canary.id);
  assert.deepEqual(body.data, { kind: 'canary_used', via: 'sign_in' });
  assert.ok(!hit.body.includes('@') && !hit.body.includes(secret), 'no email, no secret');
});

test('a reset request for a canary answers 202, raises the alarm and mails nothing', async () => {
  const mailsBefore = t.smtp.mails.length;
  const answer = await requestReset(canary.email);
  assert.equal(answer.statusCode, 202);
  assert.deepEqual(answer.json(), (await requestReset('nobody.at.all@example.com')).json());
  assert.equal(await t.deliverMail(), 0, 'no mail queued');
  assert.equal(t.smtp.mails.length, mailsBefore);
  assert.ok(!t.smtp.mails.some((m) => m.to.some((to) => to.toLowerCase().includes(canary.email))), 'never a mail to the canary');
  const alarms = await canaryAlarms();
  assert.equal(alarms.length, 2);
  assert.deepEqual(JSON.parse(alarms[1]!.data), { kind: 'canary_used', via: 'password_reset' });
  assert.equal(await alarmMetric(), 2);
  assert.equal(await t.services.webhooks.dispatcher.drain(), 1);
});

test('ordinary members raise nothing', async () => {
  const before = (await canaryAlarms()).length;
  assert.equal((await signIn(member.email, 'wrong again')).statusCode, 401);
  assert.equal((await signIn(member.email, member.password)).statusCode, 201);
  assert.equal((await signIn('nobody.here@example.com', 'whatever it is')).statusCode, 401);
  assert.equal((await requestReset(member.email)).statusCode, 202);
  assert.equal((await canaryAlarms()).length, before);
  assert.equal(await alarmMetric(), 2);
  await t.deliverMail();
  await t.smtp.waitForMail((m) => /reset your/i.test(m.subject), 5_000);
  assert.equal(await t.services.webhooks.dispatcher.drain(), 0, 'no alarm webhook');
});

test('a copy of the database does not tell canaries from members', async () => {
  const rows = await t.services.database.db.selectFrom('members').select(['id', 'canary', 'kind_marker']).execute();
  assert.ok(rows.length >= 2);
  for (const row of rows) {
    assert.equal(row.canary, 0, 'no plain flag');
    assert.match(String(row.kind_marker), /^\d+\.[A-Za-z0-9_-]{43}$/, 'every member carries a keyed marker of the same shape');
  }
  assert.deepEqual(await t.services.flows.store.members.canaryIds(), [canary.id], 'with the key, the canary is still found');
});
