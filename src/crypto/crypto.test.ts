import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PassError } from '../domain/errors.ts';
import { createBlindIndex } from './blind-index.ts';
import { createFieldCipher, DecryptionError, type FieldContext } from './field-cipher.ts';
import { keyPurposes, keyringFromJson, KeyringError, loadKeyring, newKeyringJson, type KeyPurpose, type Keyring } from './keyring.ts';
import { createPasswordHasher, type Argon2Settings } from './password-hasher.ts';
import { hashToken, randomId, randomToken, safeEqual } from './random.ts';
import { createWorkQueue } from './work-queue.ts';

interface KeyringFileShape {
  format: string;
  keys: Record<string, { version: number; secret: string }[]>;
}

function parsedKeyring(): KeyringFileShape {
  return JSON.parse(newKeyringJson()) as KeyringFileShape;
}

function keyring(): Keyring {
  return keyringFromJson(newKeyringJson(), 'test keyring');
}

/** The same keys plus a version 2 for `purpose` (a rotation). */
function rotated(json: string, purpose: KeyPurpose): Keyring {
  const file = JSON.parse(json) as KeyringFileShape;
  file.keys[purpose]!.push({ version: 2, secret: randomBytes(32).toString('base64') });
  return keyringFromJson(JSON.stringify(file), 'rotated keyring');
}

const row: FieldContext = { table: 'members', column: 'email', rowId: 'row-1' };

describe('field cipher', () => {
  test('round trip, for ASCII, Unicode and the empty string', () => {
    const cipher = createFieldCipher(keyring());
    for (const text of ['zoe@example.com', 'Zoë 👩‍👩‍👧‍👦 Quasar', '']) {
      assert.equal(cipher.decrypt(cipher.encrypt(text, row), row), text);
    }
  });

  test('format is v1.<key version>.<base64url>, with a fresh nonce each time', () => {
    const cipher = createFieldCipher(keyring());
    const a = cipher.encrypt('same text', row);
    const b = cipher.encrypt('same text', row);
    assert.match(a, /^v1\.1\.[A-Za-z0-9_-]+$/);
    assert.notEqual(a, b, 'two encryptions of one value must differ');
    assert.equal(cipher.keyVersionOf(a), 1);
    assert.equal(a.includes('same text'), false);
  });

  test('a ciphertext moved to another row, column or table fails to decrypt', () => {
    const cipher = createFieldCipher(keyring());
    const sealed = cipher.encrypt('zoe@example.com', row);
    assert.throws(() => cipher.decrypt(sealed, { ...row, rowId: 'row-2' }), DecryptionError);
    assert.throws(() => cipher.decrypt(sealed, { ...row, column: 'display_name' }), DecryptionError);
    assert.throws(() => cipher.decrypt(sealed, { ...row, table: 'sessions' }), DecryptionError);
  });

  test('every tampered byte fails authentication', () => {
    const cipher = createFieldCipher(keyring());
    const sealed = cipher.encrypt('1991-07-23', row);
    const [format, version, payload] = sealed.split('.') as [string, string, string];
    const bytes = Buffer.from(payload, 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const copy = Buffer.from(bytes);
      copy[i] = copy[i]! ^ 0x01;
      assert.throws(() => cipher.decrypt(`${format}.${version}.${copy.toString('base64url')}`, row), DecryptionError, `byte ${i}`);
    }
  });

  test('unreadable ciphertexts are refused with DecryptionError', () => {
    const cipher = createFieldCipher(keyring());
    const sealed = cipher.encrypt('x', row);
    const payload = sealed.split('.')[2]!;
    for (const bad of ['', 'garbage', `v2.1.${payload}`, `v1.9.${payload}`, 'v1.1.', 'v1.1.AAAA']) {
      assert.throws(() => cipher.decrypt(bad, row), DecryptionError, JSON.stringify(bad));
    }
  });

  test('another keyring cannot decrypt', () => {
    const sealed = createFieldCipher(keyring()).encrypt('secret', row);
    assert.throws(() => createFieldCipher(keyring()).decrypt(sealed, row), DecryptionError);
  });

  test('after a field key rotation old data still decrypts and new data uses version 2', () => {
    const json = newKeyringJson();
    const before = createFieldCipher(keyringFromJson(json, 'v1'));
    const after = createFieldCipher(rotated(json, 'field'));
    const old = before.encrypt('old value', row);
    assert.equal(after.decrypt(old, row), 'old value');
    const fresh = after.encrypt('new value', row);
    assert.match(fresh, /^v1\.2\./);
    assert.equal(after.keyVersionOf(fresh), 2);
    assert.equal(after.decrypt(fresh, row), 'new value');
    assert.throws(() => before.decrypt(fresh, row), DecryptionError, 'the old keyring has no version 2');
  });
});

describe('blind index', () => {
  test('deterministic per purpose, different across purposes and keyrings', () => {
    const ring = keyring();
    const index = createBlindIndex(ring);
    const email = index.compute('email', 'zoe@example.com');
    assert.equal(index.compute('email', 'zoe@example.com'), email);
    assert.match(email, /^1\.[A-Za-z0-9_-]{43}$/);
    assert.notEqual(index.compute('display_name', 'zoe@example.com'), email);
    assert.notEqual(index.compute('email', 'zoe@example.org'), email);
    assert.notEqual(createBlindIndex(keyring()).compute('email', 'zoe@example.com'), email);
    assert.equal(email.includes('zoe'), false);
  });

  test('candidates: one per index key version, the current one computed', () => {
    const json = newKeyringJson();
    const single = createBlindIndex(keyringFromJson(json, 'v1'));
    assert.deepEqual(single.candidates('email', 'a@b.cc'), [single.compute('email', 'a@b.cc')]);
    const double = createBlindIndex(rotated(json, 'index'));
    const candidates = double.candidates('email', 'a@b.cc');
    assert.equal(candidates.length, 2);
    assert.deepEqual(candidates.map((c) => c.split('.')[0]), ['1', '2']);
    assert.equal(candidates[0], single.compute('email', 'a@b.cc'), 'version 1 still finds rows written before the rotation');
    assert.equal(double.compute('email', 'a@b.cc'), candidates[1], 'new rows use the current version');
  });
});

describe('random tokens', () => {
  test('randomToken is 43 characters of base64url and never repeats', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const token = randomToken();
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);
      seen.add(token);
    }
    assert.equal(seen.size, 200);
  });

  test('hashToken is deterministic and is not the token', () => {
    const token = randomToken();
    assert.notEqual(hashToken(token), token);
    assert.equal(hashToken(token), hashToken(token));
    assert.notEqual(hashToken(token), hashToken(randomToken()));
    assert.match(hashToken(token), /^[A-Za-z0-9_-]{43}$/);
  });

  test('randomId is 22 characters; safeEqual compares exactly', () => {
    assert.match(randomId(), /^[A-Za-z0-9_-]{22}$/);
    assert.equal(safeEqual('abc', 'abc'), true);
    assert.equal(safeEqual('abc', 'abd'), false);
    assert.equal(safeEqual('abc', 'abcd'), false);
    assert.equal(safeEqual('', ''), true);
  });
});

describe('keyring', () => {
  test('a fresh keyring has one version-1 key of 32 bytes per purpose', () => {
    const ring = keyring();
    for (const purpose of keyPurposes) {
      assert.equal(ring.current(purpose).version, 1);
      assert.equal(ring.current(purpose).secret.length, 32);
      assert.equal(ring.all(purpose).length, 1);
    }
    assert.notDeepEqual(ring.current('field').secret, ring.current('index').secret, 'purposes never share a key');
    assert.equal(ring.get('field', 2), undefined);
  });

  test('malformed keyrings are refused with KeyringError', () => {
    const shortKey = parsedKeyring();
    shortKey.keys.field = [{ version: 1, secret: randomBytes(16).toString('base64') }];
    const missingPurpose = parsedKeyring();
    delete missingPurpose.keys.audit;
    const emptyPurpose = parsedKeyring();
    emptyPurpose.keys.pepper = [];
    const versionZero = parsedKeyring();
    versionZero.keys.index![0]!.version = 0;
    const wrongFormat = { ...parsedKeyring(), format: 'something-else' };
    const cases: Record<string, string> = {
      '16-byte key': JSON.stringify(shortKey),
      'missing purpose': JSON.stringify(missingPurpose),
      'empty purpose': JSON.stringify(emptyPurpose),
      'version 0': JSON.stringify(versionZero),
      'wrong format': JSON.stringify(wrongFormat),
      'not JSON': '{nope',
      'JSON null': 'null',
    };
    for (const [name, json] of Object.entries(cases)) {
      assert.throws(() => keyringFromJson(json, 'test'), KeyringError, name);
    }
  });

  test('the fingerprint identifies the keyring and survives a field key rotation', () => {
    const json = newKeyringJson();
    assert.equal(keyringFromJson(json, 'a').fingerprint(), keyringFromJson(json, 'b').fingerprint());
    assert.notEqual(keyringFromJson(json, 'a').fingerprint(), keyring().fingerprint());
    assert.equal(rotated(json, 'field').fingerprint(), keyringFromJson(json, 'a').fingerprint());
    assert.equal(keyring().fingerprint().includes(keyring().current('index').secret.toString('base64')), false);
  });

  test('loadKeyring creates the key file with mode 0600, then loads the same keys', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'playerpass-keys-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const keyFile = join(dir, 'nested', 'keys.json');

    const first = loadKeyring({ keysJson: undefined, keyFile });
    assert.equal(first.created, keyFile);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'nested')).mode & 0o077, 0, 'the key directory is private too');

    const second = loadKeyring({ keysJson: undefined, keyFile });
    assert.equal(second.created, undefined);
    assert.equal(second.keyring.fingerprint(), first.keyring.fingerprint());
    for (const purpose of keyPurposes) assert.deepEqual(second.keyring.current(purpose).secret, first.keyring.current(purpose).secret);

    const fromEnv = loadKeyring({ keysJson: readFileSync(keyFile, 'utf8'), keyFile: join(dir, 'unused.json') });
    assert.equal(fromEnv.created, undefined);
    assert.equal(fromEnv.keyring.fingerprint(), first.keyring.fingerprint());
    assert.throws(() => statSync(join(dir, 'unused.json')), /ENOENT/, 'PLAYERPASS_KEYS never writes a key file');
  });
});

describe('password hasher', () => {
  const small: Argon2Settings = { memoryKiB: 1024, iterations: 1, parallelism: 1 };

  test('argon2id hashes that verify only the right password', async () => {
    const queue = createWorkQueue(2, 10);
    const hasher = await createPasswordHasher(small, keyring(), queue);
    const stored = await hasher.hash('correct horse battery staple');
    assert.match(stored.hash, /^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    assert.equal(stored.pepperVersion, 1);
    assert.equal(await hasher.verify(stored, 'correct horse battery staple'), true);
    assert.equal(await hasher.verify(stored, 'correct horse battery stapl'), false);
    assert.equal(await hasher.verify(stored, ''), false);
    assert.notEqual((await hasher.hash('correct horse battery staple')).hash, stored.hash, 'salted');
  });

  test('the password is NFC-normalised before hashing', async () => {
    const hasher = await createPasswordHasher(small, keyring(), createWorkQueue(2, 10));
    const stored = await hasher.hash('Zo\u00eb passphrase');
    assert.equal(await hasher.verify(stored, 'Zoe\u0308 passphrase'), true);
  });

  test('a different pepper (another keyring) does not verify', async () => {
    const queue = createWorkQueue(2, 10);
    const stored = await (await createPasswordHasher(small, keyring(), queue)).hash('correct horse battery staple');
    const other = await createPasswordHasher(small, keyring(), queue);
    assert.equal(await other.verify(stored, 'correct horse battery staple'), false);
  });

  test('an unknown pepper version or a non-argon2id hash is false, after a dummy verify', async () => {
    const queue = createWorkQueue(2, 10);
    const hasher = await createPasswordHasher(small, keyring(), queue);
    const stored = await hasher.hash('correct horse battery staple');
    const before = queue.stats().completed;
    assert.equal(await hasher.verify({ ...stored, pepperVersion: 7 }, 'correct horse battery staple'), false);
    assert.equal(await hasher.verify({ hash: '$2b$10$abcdefghijklmnopqrstuv', pepperVersion: 1 }, 'x'), false);
    assert.equal(queue.stats().completed - before, 2, 'each refusal still spends one hash');
    await hasher.verifyDummy('anything');
    assert.equal(queue.stats().completed - before, 3);
  });

  test('needsRehash when the settings or the pepper version change', async () => {
    const json = newKeyringJson();
    const queue = createWorkQueue(2, 10);
    const hasher = await createPasswordHasher(small, keyringFromJson(json, 'a'), queue);
    const stored = await hasher.hash('correct horse battery staple');
    assert.equal(hasher.needsRehash(stored), false);
    assert.equal((await createPasswordHasher({ ...small, iterations: 2 }, keyringFromJson(json, 'a'), queue)).needsRehash(stored), true);
    assert.equal((await createPasswordHasher({ ...small, memoryKiB: 2048 }, keyringFromJson(json, 'a'), queue)).needsRehash(stored), true);
    assert.equal((await createPasswordHasher({ ...small, parallelism: 2 }, keyringFromJson(json, 'a'), queue)).needsRehash(stored), true);
    const peppered = await createPasswordHasher(small, rotated(json, 'pepper'), queue);
    assert.equal(peppered.needsRehash(stored), true, 'a new pepper version asks for a rehash');
    assert.equal(await peppered.verify(stored, 'correct horse battery staple'), true, 'the old pepper still verifies');
    assert.equal(peppered.needsRehash(await peppered.hash('correct horse battery staple')), false);
    assert.equal(hasher.needsRehash({ hash: '$2b$10$abcdefghijklmnopqrstuv', pepperVersion: 1 }), true);
  });
});

describe('work queue', () => {
  test('concurrency 1, maxWaiting 1: the third concurrent job is refused as overloaded', async () => {
    const queue = createWorkQueue(1, 1);
    let releaseFirst!: () => void;
    const order: string[] = [];
    const first = queue.run(() => new Promise<string>((resolve) => (releaseFirst = () => resolve('first'))).then((v) => (order.push(v), v)));
    const second = queue.run(async () => (order.push('second'), 'second'));
    assert.deepEqual(queue.stats(), { running: 1, waiting: 1, completed: 0 });

    await assert.rejects(
      queue.run(async () => 'third'),
      (error: unknown) => {
        assert.ok(error instanceof PassError);
        assert.equal(error.code, 'overloaded');
        assert.equal(error.status, 503);
        assert.equal(typeof error.retryAfterSeconds, 'number');
        assert.ok(error.retryAfterSeconds! >= 1);
        return true;
      },
    );
    assert.deepEqual(order, [], 'nothing ran past the limit');
    releaseFirst();
    assert.equal(await first, 'first');
    assert.equal(await second, 'second');
    assert.deepEqual(order, ['first', 'second']);
    assert.deepEqual(queue.stats(), { running: 0, waiting: 0, completed: 2 });
    assert.equal(await queue.run(async () => 'later'), 'later', 'room again once the queue drained');
  });

  test('a failing job frees its slot and counts as completed', async () => {
    const queue = createWorkQueue(1, 0);
    await assert.rejects(queue.run(async () => Promise.reject(new Error('boom'))), /boom/);
    assert.deepEqual(queue.stats(), { running: 0, waiting: 0, completed: 1 });
    assert.equal(await queue.run(async () => 42), 42);
  });
});
