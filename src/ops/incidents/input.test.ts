import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IncidentError, parseCategories, parseScope, parseTime, parseWindow } from './input.ts';

test('windows, times and categories an operator types', () => {
  assert.deepEqual(parseWindow('2026-03-01..2026-03-05T18:00Z'), { from: Date.parse('2026-03-01T00:00:00Z'), to: Date.parse('2026-03-05T18:00:00Z') });
  assert.equal(parseTime('2026-03-01T12:00', 'x'), Date.parse('2026-03-01T12:00:00Z'), 'no offset means UTC');
  assert.equal(parseTime('2026-03-01T12:00+02:00', 'x'), Date.parse('2026-03-01T10:00:00Z'));
  assert.throws(() => parseWindow('2026-03-05..2026-03-01'), /ends before it starts/);
  assert.throws(() => parseWindow('2026-03-05'), IncidentError);
  assert.throws(() => parseTime('yesterday', 'the window start'), /ISO 8601/);
  assert.deepEqual(parseCategories('password_hashes, emails,emails'), ['emails', 'password_hashes']);
  assert.throws(() => parseCategories('emails,ssn'), /unknown data category ssn/);
  assert.throws(() => parseCategories(''), IncidentError);
});

test('scopes', () => {
  const none = async function* () {};
  assert.deepEqual(parseScope('all', none), { kind: 'all' });
  assert.deepEqual(parseScope('signed-in-within', none), { kind: 'signed_in_within' });
  assert.deepEqual(parseScope('created-before:2026-01-21', none), { kind: 'created_before', before: Date.parse('2026-01-21T00:00:00Z') });
  const ids = parseScope('ids:/tmp/a:b.txt', none);
  assert.equal(ids.kind === 'id_list' && ids.source, '/tmp/a:b.txt');
  for (const bad of ['everyone', 'created-before', 'ids:', 'all:x']) assert.throws(() => parseScope(bad, none), IncidentError, bad);
});
