import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { activateKeyVersion, addKeyVersion, updateKeyFile } from '../../src/crypto/keyring-file.ts';
import { createFieldCipher } from '../../src/crypto/field-cipher.ts';
import { randomId } from '../../src/crypto/random.ts';
import { createLogger } from '../../src/logger.ts';
import { keyUsage } from '../../src/ops/keys/usage.ts';
import { buildServices, type Services } from '../../src/services.ts';
import { buildTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * A starting node does not read every encrypted column to learn that nothing needs re-encrypting:
 * a completed run records the field version it brought everything onto, and a start skips when the
 * active version is the recorded one. A node that loads changed keys while it runs always runs.
 */
let t: TestApp;
const memberId = randomId();

before(async () => {
  t = await buildTestApp();
  const now = t.clock.now();
  await t.services.flows.store.members.insert(
    { id: memberId, displayName: 'Stella Start', email: 'stella.start@example.com', birthDate: '1990-09-09', status: 'active', emailVerified: true, mustReset: false, canary: false, failedSignIns: 0, createdAt: now, updatedAt: now },
    await t.services.flows.hasher.hash('stella starts the node'),
  );
});
after(() => t.close());

const fieldUses = async (services: Services, version: number) =>
  (await keyUsage(services.database.db, services.keyring, ['field']))[0]!.versions.find((v) => v.version === version)?.uses ?? 0;

test('a start after a completed run skips; a start with a newer active key runs; a key change while running always runs', async () => {
  const keyFile = t.services.config.keyFile;
  const first = t.services.keyring.current('field').version;
  updateKeyFile(keyFile, (json) => {
    const added = addKeyVersion(json, 'field');
    return activateKeyVersion(added.json, 'field', added.version);
  });
  assert.equal(t.services.keys.reload(), true);
  const second = t.services.keyring.current('field').version;
  assert.ok(await fieldUses(t.services, first) > 0, 'the member is still on the first key');

  t.services.keys.reencryption.start();
  await t.services.keys.reencryption.idle();
  assert.equal(await fieldUses(t.services, first), 0, 'no record yet for the new version: the start ran');

  // A straggler: a node that had not yet loaded the new key wrote the name with the older one.
  const older = createFieldCipher({ ...t.services.keyring, current: () => t.services.keyring.get('field', first)! });
  const context = { table: 'members', column: 'display_name', rowId: memberId };
  await t.services.database.db.updateTable('members').set({ display_name_ct: older.encrypt('Stella Start', context) }).where('id', '=', memberId).execute();

  // Another node starts on the same database and keys: the record says done, so it reads nothing.
  const restarted = await buildServices(t.services.config, { clock: t.clock, logger: createLogger('silent') });
  try {
    restarted.keys.reencryption.start();
    await restarted.keys.reencryption.idle();
    assert.equal(await fieldUses(restarted, first), 1, 'the start skipped the walk');
    restarted.keys.reencryption.kick();
    await restarted.keys.reencryption.idle();
    assert.equal(await fieldUses(restarted, first), 0, 'a run on a key change finds the straggler');
    assert.equal((await restarted.flows.store.members.findById(memberId))?.displayName, 'Stella Start');
    assert.equal(restarted.keyring.current('field').version, second);
  } finally {
    await restarted.close();
  }
});
