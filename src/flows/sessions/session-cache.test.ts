import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Member } from '../../domain/member.ts';
import type { SessionRecord } from '../../store/sessions.ts';
import { createSessionCache } from './session-cache.ts';

const member = (id: string) => ({ id }) as Member;
const session = (id: string, memberId: string) => ({ id, memberId }) as SessionRecord;

test('entries expire after their lifetime', () => {
  const cache = createSessionCache({ ttlMs: 1_000, maxEntries: 10 });
  cache.set('h1', { session: session('s1', 'm1'), member: member('m1') }, 0);
  assert.equal(cache.get('h1', 999)?.session.id, 's1');
  assert.equal(cache.get('h1', 1_000), undefined);
  assert.equal(cache.size(), 0);
});

test('forgetting a member drops every session of that member and no other', () => {
  const cache = createSessionCache({ ttlMs: 1_000, maxEntries: 10 });
  cache.set('h1', { session: session('s1', 'm1'), member: member('m1') }, 0);
  cache.set('h2', { session: session('s2', 'm1'), member: member('m1') }, 0);
  cache.set('h3', { session: session('s3', 'm2'), member: member('m2') }, 0);
  cache.forgetMember('m1');
  assert.equal(cache.get('h1', 1), undefined);
  assert.equal(cache.get('h2', 1), undefined);
  assert.equal(cache.get('h3', 1)?.session.id, 's3');
});

test('the cache never grows past its bound', () => {
  const cache = createSessionCache({ ttlMs: 1_000, maxEntries: 3 });
  for (let i = 0; i < 10; i++) cache.set(`h${i}`, { session: session(`s${i}`, `m${i}`), member: member(`m${i}`) }, 0);
  assert.equal(cache.size(), 3);
  assert.equal(cache.get('h9', 1)?.session.id, 's9');
  assert.equal(cache.get('h0', 1), undefined);
});

test('with a spread, entries cached together expire at different times, none later than the lifetime', () => {
  const cache = createSessionCache({ ttlMs: 1_000, maxEntries: 1_000, spread: 0.5 });
  const hashes = Array.from({ length: 200 }, (_, i) => createHash('sha256').update(`token ${i}`).digest('base64url'));
  for (const [i, hash] of hashes.entries()) cache.set(hash, { session: session(`s${i}`, `m${i}`), member: member(`m${i}`) }, 0);
  assert.equal(hashes.filter((hash) => cache.get(hash, 499)).length, 200, 'all live for at least half the lifetime');
  const atThreeQuarters = hashes.filter((hash) => cache.get(hash, 750)).length;
  assert.ok(atThreeQuarters > 20 && atThreeQuarters < 180, `some but not all have expired at 3/4 (${atThreeQuarters})`);
  assert.equal(hashes.filter((hash) => cache.get(hash, 1_000)).length, 0, 'none outlives the lifetime');
});
