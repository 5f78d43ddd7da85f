import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findRecoveryCode, hashRecoveryCode, isRecoveryCodeShape, newRecoveryCode, normaliseRecoveryCode } from './recovery-code.ts';

test('a recovery code is 16 base32 characters in four groups, 80 random bits', () => {
  const codes = new Set(Array.from({ length: 1000 }, newRecoveryCode));
  assert.equal(codes.size, 1000);
  for (const code of codes) {
    assert.match(code, /^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
    assert.ok(isRecoveryCodeShape(code));
  }
  assert.equal(isRecoveryCodeShape('123456'), false, 'an authenticator code is not a recovery code');
});

test('what a member types is read leniently: case, dashes, spaces, i/l for 1 and o for 0', () => {
  assert.equal(normaliseRecoveryCode(' AB1D-0EFG hjk0-mnpq '), 'ab1d0efghjk0mnpq');
  assert.equal(normaliseRecoveryCode('abId-OEFG-hjkL-mnpq'), normaliseRecoveryCode('ab1d-0efg-hjk1-mnpq'));
  assert.equal(hashRecoveryCode('m1', 'AB1D-0EFG-HJK0-MNPQ'), hashRecoveryCode('m1', 'ab1d0efghjk0mnpq'));
});

test('hashes are bound to the member, and a match is found among all the stored ones', () => {
  const code = newRecoveryCode();
  assert.notEqual(hashRecoveryCode('m1', code), hashRecoveryCode('m2', code));
  const stored = [newRecoveryCode(), code, newRecoveryCode()].map((c) => hashRecoveryCode('m1', c));
  assert.equal(findRecoveryCode(hashRecoveryCode('m1', code), stored), 1);
  assert.equal(findRecoveryCode(hashRecoveryCode('m2', code), stored), -1);
  assert.equal(findRecoveryCode(hashRecoveryCode('m1', newRecoveryCode()), stored), -1);
});
