import assert from 'node:assert/strict';
import bcrypt from 'bcryptjs';
import { pbkdf2Sync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { createCsvParser } from '../ops/import/csv-reader.ts';
import { keyringFromJson, newKeyringJson } from './keyring.ts';
import { isLegacyScheme, legacyDigest, parseLegacyHash, type LegacyScheme } from './legacy-hashes.ts';
import { createLegacyVault } from './legacy-vault.ts';
import { createPasswordHasher, type StoredPassword } from './password-hasher.ts';
import { createWorkQueue } from './work-queue.ts';

const sampleUrl = new URL('../../test/fixtures/legacy/legacy-members-sample.csv', import.meta.url);
const answersUrl = new URL('../../test/fixtures/legacy/legacy-members-sample.answers.json', import.meta.url);

interface Answer {
  line: number;
  legacy_id: string;
  scheme: string;
  password: string;
}

/** The answers rows with their exported scheme, hash and salt (columns 5–7 of the sample). */
function answeredRows(): { answer: Answer; scheme: LegacyScheme; hash: string; salt: string }[] {
  const parser = createCsvParser();
  const records = [...parser.push(readFileSync(sampleUrl, 'utf8')), ...parser.end()];
  const byLine = new Map(records.map((record) => [record.line, record.fields]));
  const answers = JSON.parse(readFileSync(answersUrl, 'utf8')) as Answer[];
  return answers.map((answer) => {
    const fields = byLine.get(answer.line)!;
    assert.equal(fields[0], answer.legacy_id, `line ${answer.line} is legacy id ${answer.legacy_id}`);
    assert.ok(isLegacyScheme(fields[5]!));
    return { answer, scheme: fields[5] as LegacyScheme, hash: fields[6]!, salt: fields[7]! };
  });
}

const small = { memoryKiB: 1024, iterations: 1, parallelism: 1 };

describe('legacy hashes', () => {
  test('every answers row of the sample: the typed password gives the exported digest, a wrong one does not', async () => {
    const rows = answeredRows();
    assert.deepEqual(new Set(rows.map((row) => row.scheme)), new Set(['md5', 'sha1', 'sha256-salted', 'pbkdf2-sha256', 'bcrypt']));
    for (const { answer, scheme, hash, salt } of rows) {
      const parsed = parseLegacyHash(scheme, hash, salt);
      assert.ok(parsed, `line ${answer.line} parses`);
      assert.equal(await legacyDigest(scheme, parsed.params, answer.password), parsed.digest, `line ${answer.line} (${scheme})`);
      assert.notEqual(await legacyDigest(scheme, parsed.params, `${answer.password}x`), parsed.digest);
      assert.doesNotMatch(parsed.params, /\$/, 'no stored parameter looks like a modular-crypt hash');
    }
  });

  test('bcrypt $2a$, $2b$ and $2y$ at several costs (vectors made with bcryptjs)', async () => {
    for (const [minor, cost] of [['a', 4], ['b', 5], ['y', 6]] as const) {
      const made = bcrypt.hashSync('Tr0ub4dor&3 ünïcode', bcrypt.genSaltSync(cost)).replace(/^\$2b\$/, `$2${minor}$`);
      const parsed = parseLegacyHash('bcrypt', made, '')!;
      assert.equal(parsed.params, `${minor}:0${cost}:${made.slice(7, 29)}`);
      assert.equal(await legacyDigest('bcrypt', parsed.params, 'Tr0ub4dor&3 ünïcode'), parsed.digest, `$2${minor}$`);
      assert.notEqual(await legacyDigest('bcrypt', parsed.params, 'Tr0ub4dor&3 unicode'), parsed.digest);
    }
  });

  test('pbkdf2-sha256 in Django format (vector made with node:crypto)', async () => {
    const expected = pbkdf2Sync('hunter2 hunter2', 'NaCl1234', 12_000, 32, 'sha256').toString('base64');
    const parsed = parseLegacyHash('pbkdf2-sha256', `pbkdf2_sha256$12000$NaCl1234$${expected}`, '')!;
    assert.deepEqual(parsed, { scheme: 'pbkdf2-sha256', digest: expected, params: '12000:NaCl1234' });
    assert.equal(await legacyDigest('pbkdf2-sha256', parsed.params, 'hunter2 hunter2'), expected);
    assert.notEqual(await legacyDigest('pbkdf2-sha256', parsed.params, 'hunter3 hunter3'), expected);
  });

  test('malformed hashes are refused at parse time', () => {
    assert.equal(parseLegacyHash('md5', 'abc', ''), undefined);
    assert.equal(parseLegacyHash('md5', '613e3ea80a5c94d5ecabfa8f5ebd508e', 'salt'), undefined, 'md5 takes no salt');
    assert.equal(parseLegacyHash('sha1', '613e3ea80a5c94d5ecabfa8f5ebd508e', ''), undefined, 'md5 length is not sha1');
    assert.equal(parseLegacyHash('sha256-salted', 'a'.repeat(64), ''), undefined, 'needs its salt');
    assert.equal(parseLegacyHash('bcrypt', '$2x$04$' + 'a'.repeat(53), ''), undefined, '$2x$ is the broken variant');
    assert.equal(parseLegacyHash('bcrypt', '$2b$03$' + 'a'.repeat(53), ''), undefined);
    assert.equal(parseLegacyHash('pbkdf2-sha256', 'pbkdf2_sha256$0$salt$' + 'A'.repeat(43) + '=', ''), undefined);
    assert.equal(parseLegacyHash('pbkdf2-sha256', 'pbkdf2_sha1$1000$salt$' + 'A'.repeat(43) + '=', ''), undefined);
    assert.equal(parseLegacyHash('md5', '613E3EA80A5C94D5ECABFA8F5EBD508E', '')?.digest, '613e3ea80a5c94d5ecabfa8f5ebd508e', 'hex is lower-cased');
  });
});

describe('legacy passwords in the hasher', () => {
  const keyring = keyringFromJson(newKeyringJson(), 'test');
  const vault = createLegacyVault(keyring);
  const pendingOf = (memberId: string, scheme: LegacyScheme, hash: string, salt = ''): StoredPassword => {
    const parsed = parseLegacyHash(scheme, hash, salt)!;
    const sealed = vault.seal(parsed.digest, memberId, scheme);
    return { hash: sealed.secret, pepperVersion: sealed.keyVersion, scheme: `pending:${scheme}`, salt: parsed.params || null, memberId };
  };

  test('pending and wrapped verify every answers row; both need a rehash; a wrong password fails after one hash', async () => {
    const queue = createWorkQueue(2, 10);
    const hasher = await createPasswordHasher(small, keyring, queue);
    for (const [i, { answer, scheme, hash, salt }] of answeredRows().entries()) {
      const pending = pendingOf(`member-${i}`, scheme, hash, salt);
      assert.doesNotMatch(pending.hash, new RegExp(parseLegacyHash(scheme, hash, salt)!.digest.replace(/[+/]/g, '.'), 'i'));
      assert.equal(await hasher.verify(pending, answer.password), true, `pending line ${answer.line}`);
      assert.equal(hasher.needsRehash(pending), true);
      const wrapped = await hasher.wrapLegacy(pending);
      assert.equal(wrapped.scheme, `wrapped:${scheme}`);
      assert.match(wrapped.hash, /^\$argon2id\$/);
      assert.equal(await hasher.verify(wrapped, answer.password), true, `wrapped line ${answer.line}`);
      assert.equal(hasher.needsRehash(wrapped), true);
      const before = queue.stats().completed;
      assert.equal(await hasher.verify(pending, `${answer.password}!`), false);
      assert.equal(await hasher.verify(wrapped, `${answer.password}!`), false);
      assert.equal(queue.stats().completed - before, scheme === 'bcrypt' || scheme === 'pbkdf2-sha256' ? 4 : 2, 'one argon2 (plus the queued legacy digest) each');
    }
  });

  test('a pending secret copied into another member’s row, or relabelled, does not verify', async () => {
    const hasher = await createPasswordHasher(small, keyring, createWorkQueue(2, 10));
    const md5OfPassword = '5f4dcc3b5aa765d61d8327deb882cf99';
    const mine = pendingOf('attacker', 'md5', md5OfPassword);
    assert.equal(await hasher.verify(mine, 'password'), true);
    assert.equal(await hasher.verify({ ...mine, memberId: 'victim' }, 'password'), false);
    assert.equal(await hasher.verify({ ...mine, scheme: 'pending:sha1' }, 'password'), false);
    await assert.rejects(hasher.wrapLegacy({ ...mine, memberId: 'victim' }), /does not decrypt/);
  });

  test('another keyring (another pepper and legacy key) verifies neither state', async () => {
    const hasher = await createPasswordHasher(small, keyring, createWorkQueue(2, 10));
    const other = await createPasswordHasher(small, keyringFromJson(newKeyringJson(), 'other'), createWorkQueue(2, 10));
    const pending = pendingOf('m', 'sha1', '5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8');
    assert.equal(await other.verify(pending, 'password'), false);
    assert.equal(await other.verify(await hasher.wrapLegacy(pending), 'password'), false);
  });
});
