import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import SqliteDatabase from 'better-sqlite3';
import { buildApp } from '../../src/app.ts';
import { describeUsage } from '../../src/cli/commands/keys.ts';
import { activateKeyVersion, addKeyVersion, retireKeyVersion, updateKeyFile } from '../../src/crypto/keyring-file.ts';
import type { KeyPurpose } from '../../src/crypto/keyring.ts';
import { createBlindIndex } from '../../src/crypto/blind-index.ts';
import { createFieldCipher } from '../../src/crypto/field-cipher.ts';
import { reencrypt } from '../../src/ops/keys/reencrypt.ts';
import { randomId } from '../../src/crypto/random.ts';
import type { Member } from '../../src/domain/member.ts';
import { createLogger } from '../../src/logger.ts';
import { retireRefusal } from '../../src/ops/keys/retire.ts';
import { keyUsage } from '../../src/ops/keys/usage.ts';
import { buildServices } from '../../src/services.ts';
import { buildTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Key rotation on a live service: 10,000 members, the field key rotated and everything re-encrypted
 * while members sign in and change their details, then the old key retired; the same for the index
 * key (lookups by email throughout), and the pepper (re-peppered at the next sign-in).
 */
const SEEDED = 10_000;
const REAL = 6;

let t: TestApp;
const real: { email: string; password: string; displayName: string; birthDate: string; id: string }[] = [];
let requestNo = 0;

before(async () => {
  t = await buildTestApp({ env: { PLAYERPASS_TRUST_PROXY: 'true' } });
  const { store, hasher } = t.services.flows;
  const now = t.clock.now();
  const member = (id: string, n: number, fields: { displayName: string; email: string; birthDate: string }): Member => ({
    id, ...fields, status: 'active', emailVerified: true, mustReset: false, canary: n % 1000 === 7, failedSignIns: 0, createdAt: now, updatedAt: now,
  });
  // One argon2 hash for every seeded member: seeding is about rows, not passwords.
  const stored = await hasher.hash('seeded members all share this one');
  for (let from = 0; from < SEEDED; from += 2_000) {
    await store.transaction(async (tx) => {
      for (let n = from; n < from + 2_000; n++) {
        await tx.members.insert(member(randomId(), n, { displayName: `Seeded ${n}`, email: `seed${n}@example.test`, birthDate: '1990-01-01' }), stored);
      }
    });
  }
  for (let i = 0; i < REAL; i++) {
    const person = { id: randomId(), email: `real${i}@example.test`, password: `real member ${i} passphrase`, displayName: `Real ${i}`, birthDate: '1985-05-05' };
    await store.members.insert(member(person.id, -1, person), await hasher.hash(person.password));
    real.push(person);
  }
  t.services.keys.reencryption.start();
  await t.services.keys.reencryption.idle();
});
after(async () => {
  await t?.close();
});

const keyFile = () => t.services.config.keyFile;
/** What `playerpass keys rotate <purpose>` does, then the reload the server's watcher would do within a second. */
function rotate(purpose: KeyPurpose): number {
  let version = 0;
  updateKeyFile(keyFile(), (json) => {
    const added = addKeyVersion(json, purpose);
    version = added.version;
    return activateKeyVersion(added.json, purpose, version);
  });
  assert.equal(t.services.keys.reload(), true);
  assert.equal(t.services.keyring.current(purpose).version, version);
  return version;
}
/** What `playerpass keys retire` does: refused while anything uses the version. */
async function retire(purpose: KeyPurpose, version: number): Promise<string | undefined> {
  const refusal = await retireRefusal(t.services.database.db, t.services.keyring, purpose, version);
  if (refusal) return refusal;
  updateKeyFile(keyFile(), (json) => retireKeyVersion(json, purpose, version));
  assert.equal(t.services.keys.reload(), true);
  return undefined;
}
const uses = async (purpose: KeyPurpose, version: number) => (await keyUsage(t.services.database.db, t.services.keyring, [purpose]))[0]!.versions.find((v) => v.version === version)?.uses;

/** Sign in from an address of its own (so per-IP limits stay out of the way). */
async function signIn(person: (typeof real)[number]) {
  const n = ++requestNo;
  return t.api('POST', '/api/v1/sessions', {
    body: { email: person.email, password: person.password },
    headers: { 'x-forwarded-for': `10.${n % 200}.${Math.floor(n / 200) % 250}.${1 + (n % 250)}` },
  });
}

/**
 * Every real member, in parallel and over and over until `done()`: sign in, change name and birth
 * date, read them back. Any unexpected status fails the test; the last details written are kept.
 */
async function memberTraffic(done: () => boolean, options: { changeDetails: boolean }): Promise<{ rounds: number; failures: string[] }> {
  const failures: string[] = [];
  let rounds = 0;
  await Promise.all(
    real.map(async (person, i) => {
      for (let round = 0; !done() || round === 0; round++) {
        const session = await signIn(person);
        if (session.statusCode !== 201) {
          failures.push(`sign-in ${session.statusCode} ${session.body}`);
          return;
        }
        const token = session.json().token as string;
        if (options.changeDetails) {
          const displayName = `Real ${i} round ${round}`;
          const birthDate = `19${70 + (round % 30)}-0${1 + (round % 9)}-1${round % 10}`;
          const patched = await t.api('PATCH', '/api/v1/me', { token, body: { displayName, birthDate } });
          if (patched.statusCode !== 200) {
            failures.push(`PATCH ${patched.statusCode} ${patched.body}`);
            return;
          }
          person.displayName = displayName;
          person.birthDate = birthDate;
        }
        const me = await t.api('GET', '/api/v1/me', { token });
        if (me.statusCode !== 200 || me.json().email !== person.email || me.json().displayName !== person.displayName) {
          failures.push(`GET /me ${me.statusCode} ${me.body}`);
          return;
        }
        rounds++;
      }
    }),
  );
  return { rounds, failures };
}

test('field key: rotated on 10,000 members while they sign in and change details; then the old key is retired', async () => {
  const old = t.services.keyring.current('field').version;
  let jobDone = false;
  const traffic = memberTraffic(() => jobDone, { changeDetails: true });
  await sleep(50);
  // The reload kicks the server's background job at once, as the key file watcher does.
  const version = rotate('field');
  const job = (async () => {
    // While the job runs (rows on both versions), retiring the old key is refused.
    await sleep(100);
    assert.ok((await uses('field', old))! > 0 && (await uses('field', version))! > 0);
    const refused = await retire('field', old);
    await t.services.keys.reencryption.idle();
    jobDone = true;
    return refused;
  })();
  const refusedMidway = await job;
  const { rounds, failures } = await traffic;
  assert.deepEqual(failures, [], 'no request failed during the re-encryption');
  assert.ok(rounds >= REAL, `members were served during the job (${rounds} rounds)`);
  assert.match(refusedMidway ?? '', /rows still use field key version 1/, 'retiring while the job was midway is refused');

  // No ciphertext is left on the old version, and every member decrypts with the new key.
  const [field] = await keyUsage(t.services.database.db, t.services.keyring, ['field']);
  assert.equal(field!.versions.find((v) => v.version === old)!.uses, 0);
  assert.equal(field!.unknown, 0);
  const ids = await t.services.database.db.selectFrom('members').select(['id', 'email_ct', 'display_name_ct', 'birth_date_ct']).execute();
  assert.equal(ids.length, SEEDED + REAL);
  for (const row of ids) for (const ct of [row.email_ct, row.display_name_ct, row.birth_date_ct]) assert.ok(ct.startsWith(`v1.${version}.`));
  const members = new Map<string, Member>();
  for (let i = 0; i < ids.length; i += 200) {
    const found = await Promise.all(ids.slice(i, i + 200).map((row) => t.services.flows.store.members.findById(row.id)));
    for (const member of found) members.set(member!.id, member!);
  }
  assert.equal(members.size, SEEDED + REAL);
  const seeded = [...members.values()].filter((m) => m.email.startsWith('seed'));
  assert.equal(seeded.length, SEEDED);
  for (const m of seeded) assert.equal(m.displayName, `Seeded ${m.email.slice(4, -'@example.test'.length)}`);
  assert.equal(seeded.filter((m) => m.canary).length, SEEDED / 1000, 'canary markers still read');
  // The detail changes made during the job are the ones stored: none was overwritten by the job.
  for (const person of real) {
    const stored = members.get(person.id)!;
    assert.deepEqual({ name: stored.displayName, birthDate: stored.birthDate }, { name: person.displayName, birthDate: person.birthDate });
  }

  assert.equal(await retire('field', old), undefined, 'the old field key can be retired now');
  assert.equal(t.services.keyring.get('field', old), undefined);
  assert.equal((await signIn(real[0]!)).statusCode, 201, 'and the service still works');
});

test('index key: lookups by email work during and after the recomputation; then the old key is retired', async () => {
  const old = t.services.keyring.current('index').version;
  rotate('index');
  assert.match((await retire('index', old)) ?? '', /rows still use index key/);
  let jobDone = false;
  const traffic = memberTraffic(() => jobDone, { changeDetails: false });
  const lookups = (async () => {
    const missing: string[] = [];
    for (let n = 0; !jobDone; n = (n + 997) % SEEDED) {
      const found = await t.services.flows.store.members.findByEmail(`Seed${n}@Example.test`);
      if (found?.email !== `seed${n}@example.test`) missing.push(`seed${n}`);
      if (await t.services.flows.store.members.displayNameTaken(`seeded ${n}`) !== true) missing.push(`name ${n}`);
      await setImmediate(); // SQLite answers in microtasks: let timers (the job's pauses) and requests run
    }
    return missing;
  })();
  await t.services.keys.reencryption.idle();
  jobDone = true;
  const { failures } = await traffic;
  assert.deepEqual(failures, []);
  assert.deepEqual(await lookups, [], 'every lookup by email and name found its member during the job');

  assert.equal(await uses('index', old), 0);
  assert.equal(await retire('index', old), undefined);
  assert.equal((await t.services.flows.store.members.findByEmail('seed4242@example.test'))?.displayName, 'Seeded 4242');
  assert.equal((await t.services.flows.store.members.canaryIds()).length, SEEDED / 1000);
  assert.equal((await signIn(real[1]!)).statusCode, 201);
});

test('pepper: the old pepper stays in use until each member signs in again, and cannot be retired before', async () => {
  const old = t.services.keyring.current('pepper').version;
  const version = rotate('pepper');
  assert.equal(await uses('pepper', old), SEEDED + REAL);
  const status = describeUsage(await keyUsage(t.services.database.db, t.services.keyring, ['pepper']));
  assert.match(status.join('\n'), new RegExp(`v${old}: ${SEEDED + REAL} rows \\(credentials ${SEEDED + REAL}\\)`));
  assert.match((await retire('pepper', old)) ?? '', /re-peppered at its next sign-in/);

  const person = real[2]!;
  assert.equal((await signIn(person)).statusCode, 201, 'a password hashed with the old pepper still signs in');
  assert.equal((await t.services.flows.store.members.password(person.id))!.pepperVersion, version, 'and is re-peppered then');
  assert.equal(await uses('pepper', old), SEEDED + REAL - 1);
  assert.equal((await signIn(person)).statusCode, 201);
});

test('a detail change landing between the job reading a row and writing it back wins', async () => {
  const { db } = t.services.database;
  const person = real[4]!;
  const context = { table: 'members', column: 'display_name', rowId: person.id };
  const keyring = t.services.keyring;
  rotate('field');
  await t.services.keys.reencryption.idle();
  // Put the member's name back on the older (still known) field key, as a row not yet re-encrypted.
  const older = keyring.all('field').at(-2)!;
  const oldCipher = createFieldCipher({ ...keyring, current: () => older });
  await db.updateTable('members').set({ display_name_ct: oldCipher.encrypt(person.displayName, context) }).where('id', '=', person.id).execute();

  // The member renames themselves (another connection, as another node would) just after the job
  // read the row. The write has to happen inside the job's synchronous encrypt call: SQLite gets a
  // second connection, PostgreSQL a psql process run to completion.
  const other = t.databaseUrl ? undefined : new SqliteDatabase(t.services.database.sqlitePath!);
  const writeElsewhere = (ciphertext: string) => {
    if (other) other.prepare('update members set display_name_ct = ? where id = ?').run(ciphertext, person.id);
    else execFileSync('psql', [t.databaseUrl!, '-v', 'ON_ERROR_STOP=1', '-qc', `update members set display_name_ct = '${ciphertext}' where id = '${person.id}'`]);
  };
  const cipher = createFieldCipher(keyring);
  let raced = false;
  const racing = {
    ...cipher,
    encrypt(plaintext: string, ctx: typeof context) {
      if (!raced && ctx.rowId === person.id && ctx.column === 'display_name') {
        raced = true;
        writeElsewhere(cipher.encrypt('Renamed Meanwhile', ctx));
      }
      return cipher.encrypt(plaintext, ctx);
    },
  };
  try {
    const totals = await reencrypt({ db, keyring, cipher: racing, index: createBlindIndex(keyring) }, 'field');
    assert.ok(raced);
    assert.equal(totals.conflicts, 1, 'the job saw its write refused');
  } finally {
    other?.close();
  }
  assert.equal((await t.services.flows.store.members.findById(person.id))?.displayName, 'Renamed Meanwhile', 'the change was not overwritten');
  assert.equal(await uses('field', older.version), 0);
});

test('a restarted service with the retired keyring (field and index v1 gone) reads everything', async () => {
  // A second service on the same database and key file: what a restart (or another node) loads.
  const again = await buildServices(t.services.config, { clock: t.clock, logger: createLogger('silent') });
  try {
    assert.equal(again.keyring.get('field', 1), undefined);
    assert.equal(again.keyring.get('index', 1), undefined);
    assert.equal(again.keyring.fingerprint(), t.services.keyring.fingerprint(), 'the keyring is still recognised');
    const app = await buildApp(again);
    try {
      const person = real[3]!;
      const signedIn = await app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { email: person.email, password: person.password }, headers: { 'x-forwarded-for': '10.250.0.1' } });
      assert.equal(signedIn.statusCode, 201);
      const me = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${signedIn.json().token}` } });
      assert.equal(me.json().displayName, person.displayName);
      assert.equal((await again.flows.store.members.findByEmail('seed9999@example.test'))?.displayName, 'Seeded 9999');
    } finally {
      await app.close();
    }
  } finally {
    await again.close();
  }
});
