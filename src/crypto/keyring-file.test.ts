import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createFieldCipher } from './field-cipher.ts';
import { activateKeyVersion, activeVersion, addKeyVersion, retireKeyVersion, updateKeyFile, watchKeyFile, writeKeyFile } from './keyring-file.ts';
import { keyringFromJson, KeyringError, newKeyringJson, type KeyringFile } from './keyring.ts';

const dir = mkdtempSync(join(tmpdir(), 'playerpass-keyring-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const context = { table: 'members', column: 'email', rowId: 'm1' };

test('add makes a new version known but leaves the active one; activate switches; retire removes', () => {
  const start = newKeyringJson();
  const before = keyringFromJson(start, 'start');

  const added = addKeyVersion(start, 'field');
  assert.equal(added.version, 2);
  const known = keyringFromJson(added.json, 'added');
  assert.equal(known.current('field').version, 1, 'a new version is not written with until activated');
  assert.deepEqual(known.all('field').map((k) => k.version), [1, 2]);
  assert.equal(known.fingerprint(), before.fingerprint());

  const activated = activateKeyVersion(added.json, 'field', 2);
  const rotated = keyringFromJson(activated, 'activated');
  assert.equal(rotated.current('field').version, 2);
  assert.equal(rotated.current('index').version, 1, 'other purposes are untouched');
  const oldCiphertext = createFieldCipher(before).encrypt('a@example.com', context);
  assert.equal(createFieldCipher(rotated).decrypt(oldCiphertext, context), 'a@example.com', 'old ciphertext still decrypts');
  assert.match(createFieldCipher(rotated).encrypt('x', context), /^v1\.2\./);

  assert.throws(() => retireKeyVersion(activated, 'field', 2), KeyringError, 'the active version cannot be retired');
  assert.throws(() => activateKeyVersion(activated, 'field', 7), KeyringError);
  const retired = retireKeyVersion(activated, 'field', 1);
  assert.deepEqual(keyringFromJson(retired, 'retired').all('field').map((k) => k.version), [2]);
  assert.throws(() => createFieldCipher(keyringFromJson(retired, 'retired')).decrypt(oldCiphertext, context));
});

test('the fingerprint stays the same when the index key it comes from is retired', () => {
  const start = newKeyringJson();
  const fingerprint = keyringFromJson(start, 'start').fingerprint();
  const added = addKeyVersion(start, 'index');
  const retired = retireKeyVersion(activateKeyVersion(added.json, 'index', added.version), 'index', 1);
  assert.equal(keyringFromJson(retired, 'retired').fingerprint(), fingerprint);
  assert.equal((JSON.parse(retired) as KeyringFile).fingerprint, fingerprint);
});

test('a key file without `active` keeps meaning "the highest version" (older files)', () => {
  const file = JSON.parse(newKeyringJson()) as KeyringFile;
  file.keys.pepper.push({ version: 2, secret: Buffer.alloc(32, 7).toString('base64') });
  const json = JSON.stringify(file);
  assert.equal(keyringFromJson(json, 'old').current('pepper').version, 2);
  assert.equal(activeVersion(file, 'pepper'), 2);
  assert.equal(keyringFromJson(addKeyVersion(json, 'pepper').json, 'added').current('pepper').version, 2);
});

test('the key file is replaced atomically with mode 0600', () => {
  const path = join(dir, 'keys.json');
  writeFileSync(path, newKeyringJson(), { mode: 0o644 });
  const next = updateKeyFile(path, (json) => addKeyVersion(json, 'audit').json);
  assert.equal(readFileSync(path, 'utf8'), next);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith('.tmp')), [], 'no temporary file is left');

  // A write that fails midway leaves the old file whole.
  assert.throws(() => updateKeyFile(path, () => JSON.parse('{ broken') as string));
  assert.equal(readFileSync(path, 'utf8'), next);
  writeKeyFile(path, next);
  assert.equal(statSync(path).mode & 0o777, 0o600);
});

test('a live keyring reloads a changed file, keeps KeyObjects, and refuses another keyring', async () => {
  const path = join(dir, 'live.json');
  const start = newKeyringJson();
  writeFileSync(path, start, { mode: 0o600 });
  const keyring = keyringFromJson(start, path);
  const v1 = keyring.current('field');
  let changes = 0;
  const failures: Error[] = [];
  const watcher = watchKeyFile(path, keyring, { changed: () => changes++, failed: (error) => failures.push(error) }, 50);
  try {
    assert.equal(watcher.reload(), false, 'nothing changed yet');
    updateKeyFile(path, (json) => {
      const added = addKeyVersion(json, 'field');
      return activateKeyVersion(added.json, 'field', added.version);
    });
    assert.equal(watcher.reload(), true);
    assert.equal(keyring.current('field').version, 2);
    assert.equal(keyring.get('field', 1), v1, 'known versions keep their KeyObject');
    assert.equal(changes, 1);

    // The poll notices a change by itself.
    updateKeyFile(path, (json) => addKeyVersion(json, 'pepper').json);
    for (let waited = 0; changes < 2 && waited < 3_000; waited += 25) await sleep(25);
    assert.equal(changes, 2, 'the stat poll reloaded the changed file');
    assert.deepEqual(keyring.all('pepper').map((k) => k.version), [1, 2]);

    writeKeyFile(path, newKeyringJson());
    assert.equal(watcher.reload(), false);
    assert.ok(failures[0] instanceof KeyringError, 'another keyring is refused');
    assert.equal(keyring.current('field').version, 2, 'and the loaded keys stay');
  } finally {
    watcher.stop();
  }
});
