import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { newKeyringJson } from '../../src/crypto/keyring.ts';
import { buildServices } from '../../src/services.ts';
import { KeyringMismatchError } from '../../src/store/keyring-check.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'playerpass-keyring-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

const env = (extra: Record<string, string> = {}) =>
  loadConfig({
    PLAYERPASS_DATA_DIR: dataDir,
    PLAYERPASS_ARGON2_MEMORY_KIB: '1024',
    PLAYERPASS_ARGON2_ITERATIONS: '1',
    PLAYERPASS_LOG_LEVEL: 'silent',
    ...extra,
  });

test('a database refuses to start with a keyring other than the one it was written with', async () => {
  const keyFile = join(dataDir, 'keys', 'playerpass-keys.json');
  assert.equal(existsSync(keyFile), false);

  const first = await buildServices(env());
  const fingerprint = first.keyring.fingerprint();
  await first.close();
  assert.equal(existsSync(keyFile), true, 'the first start created the key file');

  await assert.rejects(buildServices(env({ PLAYERPASS_KEYS: newKeyringJson() })), KeyringMismatchError);
  await assert.rejects(buildServices(env({ PLAYERPASS_KEY_FILE: join(dataDir, 'other-keys.json') })), KeyringMismatchError, 'a lost key file is not silently replaced');

  const again = await buildServices(env());
  try {
    assert.equal(again.keyring.fingerprint(), fingerprint);
    const meta = await again.database.db.selectFrom('meta').select('value').where('key', '=', 'keyring_fingerprint').executeTakeFirstOrThrow();
    assert.equal(meta.value, fingerprint, 'the refused starts did not overwrite the stored fingerprint');
  } finally {
    await again.close();
  }

  const viaEnv = await buildServices(env({ PLAYERPASS_KEYS: readFileSync(keyFile, 'utf8') }));
  assert.equal(viaEnv.keyring.fingerprint(), fingerprint, 'the same keys given as PLAYERPASS_KEYS work too');
  await viaEnv.close();
});
