import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDisplayName } from '../../domain/display-name.ts';
import { columnPositions, columns, disambiguatedName, parseCreatedAt, repairDisplayName, validateRow, validName } from './row-validate.ts';

const now = Date.UTC(2025, 0, 1);
const positions = columnPositions([...columns]);
const row = (overrides: Partial<Record<(typeof columns)[number], string>> = {}, line = 2) => {
  const values = { legacy_id: '7', display_name: 'Ana Rose', email: ' Ana.Rose@Example.COM ', birth_date: '1990-02-28', created_at: '2006-03-12 18:09:05', password_scheme: 'md5', password_hash: '613E3EA80A5C94D5ECABFA8F5EBD508E', password_salt: '', email_verified: '1', ...overrides };
  return validateRow({ line, fields: columns.map((c) => values[c]) }, positions, columns.length, now);
};

test('a good row: email cleaned and normalised, created_at in UTC, md5 hex lower-cased', () => {
  const result = row();
  assert.ok(result.ok);
  assert.equal(result.row.email, 'Ana.Rose@Example.COM');
  assert.equal(result.row.normalisedEmail, 'ana.rose@example.com');
  assert.equal(result.row.createdAt, Date.UTC(2006, 2, 12, 18, 9, 5));
  assert.equal(result.row.password?.digest, '613e3ea80a5c94d5ecabfa8f5ebd508e');
  assert.equal(result.row.emailVerified, true);
});

test('reject reasons, first problem first; the legacy id only when it looks like one', () => {
  const reason = (r: ReturnType<typeof row>) => (r.ok ? 'ok' : `${r.reason}:${r.legacyId}`);
  assert.equal(reason(validateRow({ line: 3, fields: ['1', 'x'] }, positions, 9, now)), 'wrong_column_count:1');
  assert.equal(reason(validateRow({ line: 3, fields: ['1', 'x'], error: 'unterminated_quote' }, positions, 9, now)), 'malformed_csv:1');
  assert.equal(reason(row({ legacy_id: 'jane@example.com' })), 'invalid_legacy_id:');
  assert.equal(reason(row({ email: 'not-an-email' })), 'invalid_email:7');
  assert.equal(reason(row({ birth_date: '' })), 'invalid_birth_date:7');
  assert.equal(reason(row({ birth_date: '1990-02-31' })), 'invalid_birth_date:7');
  assert.equal(reason(row({ birth_date: '31/02/1990' })), 'invalid_birth_date:7');
  assert.equal(reason(row({ password_scheme: 'crypt16' })), 'unknown_scheme:7');
  assert.equal(reason(row({ password_hash: 'abc' })), 'invalid_hash:7');
  assert.equal(reason(row({ password_scheme: 'none', password_hash: '' })), 'ok');
  assert.equal((row({ password_scheme: 'none', password_hash: '' }) as { row: { password: unknown } }).row.password, undefined);
});

test('created_at: real UTC times only, else the import time (counted)', () => {
  assert.equal(parseCreatedAt('2004-02-29 23:59:59', now), Date.UTC(2004, 1, 29, 23, 59, 59));
  assert.equal(parseCreatedAt('2005-02-29 10:00:00', now), undefined);
  assert.equal(parseCreatedAt('2030-01-01 00:00:00', now), undefined, 'not in the future');
  const result = row({ created_at: 'yesterday' });
  assert.ok(result.ok && result.row.createdAtDefaulted && result.row.createdAt === now);
});

test('display names: the ASCII shortcut agrees with the rules; broken names are repaired; suffixes fit', () => {
  for (const name of ['Ana', 'ab', '  Ana   Rose ', 'x'.repeat(24), 'x'.repeat(25), 'Amy "Ace" Jones', 'Smith, Jr.', 'Zoë', '李 Müller', 'a\u200bb c', '👩‍👩‍👧👩‍👩‍👧👩‍👩‍👧']) {
    assert.equal(validName(name), checkDisplayName(name) === undefined, JSON.stringify(name));
  }
  assert.deepEqual(repairDisplayName('Ana\u0000 Rose', '9'), { displayName: 'Ana Rose', renamed: true });
  assert.deepEqual(repairDisplayName('A', '9'), { displayName: 'Player 9', renamed: true });
  assert.equal(repairDisplayName('Ü'.repeat(30), '9').displayName, 'Ü'.repeat(24));
  assert.equal(disambiguatedName('Ana Rose', '123'), 'Ana Rose #123');
  assert.equal(disambiguatedName('Abcdefghij Klmnopqrstuvw', '1300000'), 'Abcdefghij Klmn #1300000');
  assert.equal(validName(disambiguatedName('李'.repeat(24), '42')), true);
});
