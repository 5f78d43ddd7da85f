import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { verifiedMember } from '../helpers/oidc.ts';
import { buildTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * A session check notes the session's last use and goes on; the time is written in the background,
 * one statement for many sessions. Until then this node still counts the use (idle timer), and the
 * session list shows it once written.
 */
let t: TestApp;
const tokens: string[] = [];

before(async () => {
  t = await buildTestApp();
  for (let i = 0; i < 3; i++) {
    tokens.push((await verifiedMember(t, { displayName: `Toby Touch ${i}`, email: `toby.touch.${i}@example.com`, birthDate: '1992-02-02', password: `toby touches session ${i}` })).token);
  }
});
after(() => t.close());

const lastSeen = async () =>
  (await t.services.database.db.selectFrom('sessions').select(['last_seen_at']).where('revoked_at', 'is', null).orderBy('last_seen_at').execute()).map((row) => Number(row.last_seen_at));

test('uses are written together in the background, and count at once on this node', async () => {
  const before = await lastSeen();
  t.clock.advance(2 * 60_000);
  const usedAt = t.clock.now();
  for (const token of tokens) assert.equal((await t.api('GET', '/api/v1/me', { token })).statusCode, 200);
  assert.deepEqual(await lastSeen(), before, 'the requests did not wait for the write');

  // Past the cache's lifetime the session is read again from the store: the noted use still counts.
  t.clock.advance(59 * 60_000);
  for (const token of tokens) assert.equal((await t.api('GET', '/api/v1/me', { token })).statusCode, 200, 'idle for 59 minutes since the noted use, not 61');

  await t.services.flows.sessionTouches.flush();
  const written = await lastSeen();
  assert.equal(written.length, 3);
  for (const at of written) assert.equal(at, t.clock.now(), 'the latest use of each session is written');
  assert.ok(t.clock.now() > usedAt);
});
