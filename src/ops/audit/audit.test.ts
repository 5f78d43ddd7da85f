import assert from 'node:assert/strict';
import SqliteDatabase from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { keyringFromJson, newKeyringJson, type Keyring } from '../../crypto/keyring.ts';
import { checkKeyringMatches } from '../../store/keyring-check.ts';
import { migrateToLatest } from '../../store/migrate.ts';
import type { Tables } from '../../store/tables.ts';
import { searchAudit, tailAudit } from './query.ts';
import { AuditEventError, createAuditTrail } from './trail.ts';
import { chainHead, verifyAuditChain } from './verify.ts';

const root = mkdtempSync(join(tmpdir(), 'playerpass-audit-'));
after(() => rmSync(root, { recursive: true, force: true }));

let dbCount = 0;
async function freshTrail(events = 0) {
  const dir = join(root, `db${++dbCount}`);
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: (mkdirSync(dir), new SqliteDatabase(join(dir, 'playerpass.sqlite'))) }) });
  await migrateToLatest(db);
  const keysJson = newKeyringJson();
  const keyring = keyringFromJson(keysJson, 'test');
  let now = Date.UTC(2025, 0, 1);
  const trail = createAuditTrail(db, keyring, { now: () => (now += 1000) });
  for (let i = 1; i <= events; i++) {
    await trail.record({ type: i % 2 ? 'sign_in.failed' : 'sign_in.succeeded', memberId: `m${i % 5}`, ipPrefix: `203.0.${i % 3}.0/24`, data: { n: i, newDevice: i % 4 === 0 } });
  }
  return { db, keyring, keysJson, trail, dir, verify: () => verifyAuditChain(db, keyring, { batchSize: 7 }) };
}

const exec = (db: Kysely<Tables>, query: string) => sql.raw(query).execute(db);

test('a chain of 50 events verifies, in batches, with progress', async () => {
  const { db, keyring } = await freshTrail(50);
  const seen: number[] = [];
  assert.deepEqual(await verifyAuditChain(db, keyring, { batchSize: 16, onProgress: (n) => seen.push(n) }), { ok: true, rows: 50 });
  assert.deepEqual(seen, [16, 32, 48, 50]);
  await db.destroy();
});

test('a hand-edited row is reported as altered at its seq', async () => {
  const { db, verify } = await freshTrail(50);
  await exec(db, `update audit_events set data = '{"n":999}' where seq = 17`);
  assert.deepEqual(await verify(), { ok: false, rows: 16, firstBadSeq: 17, problem: 'altered' });
  await db.destroy();
});

test('a rewritten hash or member id is altered too', async () => {
  const { db, verify } = await freshTrail(10);
  await exec(db, `update audit_events set member_id = 'someone-else' where seq = 4`);
  assert.deepEqual(await verify(), { ok: false, rows: 3, firstBadSeq: 4, problem: 'altered' });
  await db.destroy();
});

test('a deleted middle row is reported as removed at the seq after the gap', async () => {
  const { db, verify } = await freshTrail(50);
  await exec(db, 'delete from audit_events where seq = 23');
  assert.deepEqual(await verify(), { ok: false, rows: 22, firstBadSeq: 24, problem: 'removed' });
  await db.destroy();
});

test('a deleted first row is removed too', async () => {
  const { db, verify } = await freshTrail(5);
  await exec(db, 'delete from audit_events where seq = 1');
  assert.deepEqual(await verify(), { ok: false, rows: 0, firstBadSeq: 2, problem: 'removed' });
  await db.destroy();
});

test('a deleted row hidden by renumbering the rest is still removed', async () => {
  const { db, verify } = await freshTrail(20);
  await exec(db, 'delete from audit_events where seq in (8, 9)');
  await exec(db, 'update audit_events set seq = -seq where seq > 9');
  await exec(db, 'update audit_events set seq = -seq - 2 where seq < 0');
  assert.deepEqual(await verify(), { ok: false, rows: 7, firstBadSeq: 8, problem: 'removed' });
  await db.destroy();
});

test('a forged row appended with a made-up hash is reported', async () => {
  const { db, verify } = await freshTrail(10);
  const head = await chainHead(db);
  await exec(db, `insert into audit_events (seq, id, at, type, member_id, ip_prefix, data, key_version, prev_hash, hash)
    values (11, 'forged', 1, 'sign_in.succeeded', 'm1', null, '{}', 1, '${head!.hash}', 'AAAA')`);
  assert.deepEqual(await verify(), { ok: false, rows: 10, firstBadSeq: 11, problem: 'altered' }, 'an appended forgery looks like an edited last row');
  await db.destroy();
});

test('a forged row squeezed in by renumbering is reported as inserted', async () => {
  const { db, verify } = await freshTrail(20);
  const prev = await db.selectFrom('audit_events').select('hash').where('seq', '=', 9).executeTakeFirstOrThrow();
  await exec(db, 'update audit_events set seq = -seq where seq >= 10');
  await exec(db, 'update audit_events set seq = -seq + 1 where seq < 0');
  await exec(db, `insert into audit_events (seq, id, at, type, member_id, ip_prefix, data, key_version, prev_hash, hash)
    values (10, 'forged', 1, 'member.joined', 'm1', null, '{}', 1, '${prev.hash}', 'AAAA')`);
  assert.deepEqual(await verify(), { ok: false, rows: 9, firstBadSeq: 10, problem: 'inserted' });
  await db.destroy();
});

test('a row with a seq the appender never writes, or an unknown key version, is reported', async () => {
  const { db, verify } = await freshTrail(5);
  await exec(db, `insert into audit_events (seq, id, at, type, member_id, ip_prefix, data, key_version, prev_hash, hash)
    values (0, 'forged', 1, 'member.joined', null, null, '{}', 1, 'x', 'y')`);
  assert.deepEqual(await verify(), { ok: false, rows: 0, firstBadSeq: 0, problem: 'inserted' });
  await exec(db, 'delete from audit_events where seq = 0');
  await exec(db, 'update audit_events set key_version = 9 where seq = 3');
  assert.deepEqual(await verify(), { ok: false, rows: 2, firstBadSeq: 3, problem: 'unknown_key' });
  await db.destroy();
});

test('deleting the LAST row cannot be seen by the chain alone; a saved head catches it', async () => {
  // A shorter chain is still a valid chain: every remaining row links to the one before it. Only a
  // head (seq + hash) kept outside the database shows that rows were cut from the end.
  const { db, keyring, verify } = await freshTrail(10);
  const head = await chainHead(db);
  assert.equal(head?.seq, 10);
  await exec(db, 'delete from audit_events where seq = 10');
  assert.deepEqual(await verify(), { ok: true, rows: 9 }, 'undetectable without the head');
  assert.deepEqual(await verifyAuditChain(db, keyring, { expectHead: head! }), { ok: false, rows: 9, firstBadSeq: 10, problem: 'removed' });
  await db.destroy();
});

test('20 concurrent records get seq 1..20 and a valid chain', async () => {
  const { db, trail, verify } = await freshTrail();
  await Promise.all(Array.from({ length: 20 }, (_, i) => trail.record({ type: 'member.joined', memberId: `m${i}` })));
  const seqs = (await db.selectFrom('audit_events').select('seq').orderBy('seq').execute()).map((r) => r.seq);
  assert.deepEqual(seqs, Array.from({ length: 20 }, (_, i) => i + 1));
  assert.deepEqual(await verify(), { ok: true, rows: 20 });
  await db.destroy();
});

test('two trails on one SQLite file (two connections) still make one chain', async () => {
  const { db, keyring, trail, dir } = await freshTrail();
  const other = new Kysely<Tables>({ dialect: new SqliteDialect({ database: new SqliteDatabase(join(dir, 'playerpass.sqlite'), { timeout: 5000 }) }) });
  const second = createAuditTrail(other, keyring, { now: () => Date.now() });
  await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? trail : second).record({ type: 'member.joined', data: { i } })));
  assert.deepEqual(await verifyAuditChain(db, keyring), { ok: true, rows: 30 });
  await other.destroy();
  await db.destroy();
});

test('events that would put personal data or an odd type in the trail are refused', async () => {
  const { db, trail } = await freshTrail();
  await assert.rejects(trail.record({ type: 'sign_in.failed', data: { email: 'someone@example.com' } }), AuditEventError);
  await assert.rejects(trail.record({ type: 'SignInFailed' }), AuditEventError);
  await assert.rejects(trail.record({ type: 'sign_in' }), AuditEventError);
  await assert.rejects(trail.record({ type: 'member.joined', memberId: 'a@b.c' }), AuditEventError);
  await assert.rejects(trail.record({ type: 'member.joined', data: { n: Number.NaN } }), AuditEventError);
  await trail.record({ type: 'member.joined' });
  assert.equal((await tailAudit(db, 10)).length, 1, 'a refused event does not stop the ones after it');
  await db.destroy();
});

test('search filters by member, type, IP prefix and time window, newest first; tail is oldest first', async () => {
  const { db } = await freshTrail(30);
  const start = Date.UTC(2025, 0, 1);
  const byMember = await searchAudit(db, { memberId: 'm2' });
  assert.deepEqual(byMember.map((e) => e.seq), [27, 22, 17, 12, 7, 2]);
  assert.ok((await searchAudit(db, { type: 'sign_in.succeeded' })).every((e) => e.type === 'sign_in.succeeded'));
  assert.deepEqual((await searchAudit(db, { ipPrefix: '203.0.1', limit: 3 })).map((e) => e.seq), [28, 25, 22]);
  assert.deepEqual((await searchAudit(db, { from: start + 5000, to: start + 8000 })).map((e) => e.seq), [7, 6, 5]);
  assert.deepEqual((await searchAudit(db, { memberId: 'm2', type: 'sign_in.failed' })).map((e) => e.seq), [27, 17, 7]);
  const tail = await tailAudit(db, 3);
  assert.deepEqual(tail.map((e) => e.seq), [28, 29, 30]);
  assert.deepEqual(tail[2], { seq: 30, id: tail[2]!.id, at: start + 30_000, type: 'sign_in.succeeded', memberId: 'm0', ipPrefix: '203.0.0.0/24', data: { n: 30, newDevice: false } });
  await db.destroy();
});

test('the CLI: audit verify exits 1 naming the tampered seq, 0 on an intact chain', async () => {
  const { db, keyring, keysJson, dir } = await freshTrail(12);
  await checkKeyringMatches(db, keyring);
  const run = promisify(execFile);
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PLAYERPASS_')));
  Object.assign(env, { PLAYERPASS_DATA_DIR: dir, PLAYERPASS_LOG_LEVEL: 'silent', PLAYERPASS_KEYS: keysJson });
  const cli = (...args: string[]) => run(process.execPath, ['src/cli/main.ts', 'audit', ...args], { cwd: resolve(import.meta.dirname, '../../..'), env });

  const ok = await cli('verify');
  assert.equal(ok.stdout.trim(), 'audit chain OK: 12 rows');
  const lines = (await cli('search', '--member', 'm1', '--limit', '2')).stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(lines.map((e) => [e.seq, e.memberId]), [[11, 'm1'], [6, 'm1']]);
  assert.equal(lines[0].at, new Date(Date.UTC(2025, 0, 1) + 11_000).toISOString());

  await exec(db, `update audit_events set ip_prefix = '198.51.100.0/24' where seq = 5`);
  await db.destroy();
  const broken = await cli('verify').then(
    () => assert.fail('verify should exit 1'),
    (error: { code: number; stdout: string }) => error,
  );
  assert.equal(broken.code, 1);
  assert.match(broken.stdout, /audit chain BROKEN at seq 5 \(altered\)/);
});
