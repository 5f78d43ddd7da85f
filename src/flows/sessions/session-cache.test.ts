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
