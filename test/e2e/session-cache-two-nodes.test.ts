import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { newKeyringJson } from '../../src/crypto/keyring.ts';
import { createTempDatabase } from '../helpers/postgres.ts';
import { buildTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Two nodes on one PostgreSQL and one Redis, each with its own session cache: a revocation or a
 * change on one node reaches the other's cache at once, not after the cache's lifetime.
 */
const REDIS_URL = 'redis://127.0.0.1:6379/5';
let a: TestApp;
let b: TestApp;
let drop: () => Promise<void>;
const member = { displayName: 'Cache Casey', email: 'casey.cache@example.com', birthDate: '1995-05-05', password: 'casey caches a passphrase' };

before(async () => {
  const redis = new Redis(REDIS_URL);
  await redis.flushdb();
  redis.disconnect();
  const database = await createTempDatabase();
  drop = database.drop;
  const env = { PLAYERPASS_DATABASE_URL: database.url, PLAYERPASS_KEYS: newKeyringJson(), PLAYERPASS_REDIS_URL: REDIS_URL };
  a = await buildTestApp({ store: 'sqlite', env });
  b = await buildTestApp({ store: 'sqlite', env });
  assert.equal((await a.api('POST', '/api/v1/members', { body: member })).statusCode, 202);
  await a.deliverMail();
  const mail = await a.smtp.waitForMail((m) => /confirm your email/i.test(m.subject));
  assert.equal((await a.api('POST', '/api/v1/email-verifications', { body: { token: a.smtp.tokenIn(mail, '/verify') } })).statusCode, 200);
});
after(async () => {
  await a?.close();
  await b?.close();
  await drop?.();
});

async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < withinMs) {
    if (await check()) return Date.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`not within ${withinMs} ms`);
}

test('a session signed in on node A works on node B, and a rename on A shows on B at once', async () => {
  const token = (await a.api('POST', '/api/v1/sessions', { body: { email: member.email, password: member.password } })).json().token as string;
  assert.equal((await b.api('GET', '/api/v1/me', { token })).json().displayName, member.displayName, 'B reads (and caches) the session');
  assert.equal((await a.api('PATCH', '/api/v1/me', { token, body: { displayName: 'Casey Renamed' } })).statusCode, 200);
  await eventually(async () => (await b.api('GET', '/api/v1/me', { token })).json().displayName === 'Casey Renamed', 1_000);
});

test('signing out on node A ends the session on node B well within the cache lifetime', async () => {
  const token = (await a.api('POST', '/api/v1/sessions', { body: { email: member.email, password: member.password } })).json().token as string;
  assert.equal((await b.api('GET', '/api/v1/me', { token })).statusCode, 200, 'cached on B');
  assert.equal((await a.api('DELETE', '/api/v1/sessions/current', { token })).statusCode, 204);
  await eventually(async () => (await b.api('GET', '/api/v1/me', { token })).statusCode === 401, 1_000);
});
