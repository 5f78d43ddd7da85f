import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * `playerpass import members` on the shared sample, through the same services the CLI uses, on the
 * store PLAYERPASS_TEST_STORE names (CI runs it on both): rejects on the right lines, every answers
 * row signing in (half while its hash is still pending, half after the wrap job) and ending as plain
 * argon2id, idempotent and resumable runs, and a database dump free of the sample's hashes and
 * personal data before, during and after wrapping.
 */
const sample = fileURLToPath(new URL('../fixtures/legacy/legacy-members-sample.csv', import.meta.url));
const answers = JSON.parse(readFileSync(new URL('../fixtures/legacy/legacy-members-sample.answers.json', import.meta.url), 'utf8')) as {
  line: number;
  legacy_id: string;
  email: string;
  scheme: string;
  password: string;
}[];

/** A deliberately separate, naive RFC 4180 reading of the sample (not the importer's reader). */
function sampleRows(): { line: number; fields: string[] }[] {
  const text = readFileSync(sample, 'utf8').replace(/^\ufeff/, '');
  const rows: { line: number; fields: string[] }[] = [];
  let line = 1;
  let fields: string[] = [];
  let start = line;
  const cell = /("(?:[^"]|"")*"|[^,\r\n"]*)(,|\r?\n|$)/gy;
  for (let match = cell.exec(text); match && match.index < text.length; match = cell.exec(text)) {
    const raw = match[1]!;
    fields.push(raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw);
    line += (raw.match(/\n/g) ?? []).length;
    if (match[2] !== ',') {
      rows.push({ line: start, fields });
      fields = [];
      line += 1;
      start = line;
    }
  }
  return rows;
}

/** What the rejects must be, worked out from the file with simple rules of our own. */
function expectedRejects(rows: { line: number; fields: string[] }[]): string[] {
  const seen = new Set<string>();
  const rejects: string[] = [];
  for (const { line, fields } of rows.slice(1)) {
    const [id, , email = '', birth = '', , scheme = ''] = fields;
    const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birth);
    const realDate = date && new Date(`${birth}T00:00:00Z`).toISOString().startsWith(birth);
    const key = email.trim().toLowerCase();
    const reason =
      fields.length !== 9 ? 'wrong_column_count'
      : !/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(email.trim()) ? 'invalid_email'
      : !realDate ? 'invalid_birth_date'
      : !['md5', 'sha1', 'sha256-salted', 'bcrypt', 'pbkdf2-sha256', 'none'].includes(scheme) ? 'unknown_scheme'
      : seen.has(key) ? 'duplicate_email'
      : undefined;
    if (reason) rejects.push(`${line},${id},${reason}`);
    else seen.add(key);
  }
  return rejects;
}

let t: TestApp;
const kind = process.env.PLAYERPASS_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
const rows = sampleRows();
const rejectsFile = () => join(t.dataDir, 'rejects.csv');

before(async () => {
  t = await buildTestApp();
});
after(async () => {
  await t?.close();
});

const credentialOf = async (legacyId: string) =>
  t.services.database.db
    .selectFrom('credentials')
    .innerJoin('members', 'members.id', 'credentials.member_id')
    .select(['credentials.scheme', 'credentials.secret', 'credentials.salt'])
    .where('members.legacy_id', '=', legacyId)
    .executeTakeFirstOrThrow();

/** Signs in as it would go for the member: an unverified address is verified from the mail first. */
async function signIn(email: string, password: string): Promise<void> {
  let response = await t.api('POST', '/api/v1/sessions', { body: { email, password } });
  if (response.statusCode === 403 && response.json().error.code === 'email_unverified') {
    await t.deliverMail();
    const mail = await t.smtp.waitForMail((m) => m.to.some((to) => to.toLowerCase() === email.trim().toLowerCase()) && /confirm/i.test(m.subject));
    assert.equal((await t.api('POST', '/api/v1/email-verifications', { body: { token: t.smtp.tokenIn(mail, '/verify') } })).statusCode, 200);
    response = await t.api('POST', '/api/v1/sessions', { body: { email, password } });
  }
  assert.equal(response.statusCode, 201, `${email}: ${response.body}`);
}

function dump(): string {
  if (kind === 'postgres') return execFileSync('pg_dump', ['--no-owner', t.databaseUrl!], { maxBuffer: 256 * 1024 * 1024 }).toString('utf8');
  const path = t.services.database.sqlitePath!;
  return Buffer.concat([path, `${path}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p))).toString('utf8');
}

/** No hash of any sample row (nor its digest part), no email, name or birth date, in any case. */
function assertDumpClean(when: string): void {
  const lower = dump().toLowerCase();
  // One pass over the dump with the needles keyed by their first 8 characters (thousands of
  // `includes` over a dump of megabytes would take minutes).
  const byPrefix = new Map<string, { needle: string; line: number }[]>();
  for (const { line, fields } of rows.slice(1)) {
    const [, name = '', email = '', birth = '', , , hash = ''] = fields;
    const needles = [hash, hash.split('$').at(-1)!, hash.startsWith('$2') ? hash.slice(29) : '', email.trim(), name, birth];
    for (const needle of needles.map((n) => n.toLowerCase()).filter((n) => n.length >= 8)) {
      const list = byPrefix.get(needle.slice(0, 8)) ?? [];
      list.push({ needle, line });
      byPrefix.set(needle.slice(0, 8), list);
    }
  }
  for (let i = 0; i + 8 <= lower.length; i++) {
    const candidates = byPrefix.get(lower.slice(i, i + 8));
    const found = candidates?.find(({ needle }) => lower.startsWith(needle, i));
    assert.equal(found, undefined, `${when}: line ${found?.line}'s "${found?.needle}" is in the ${kind} dump`);
  }
  // Modular-crypt markers of anything but argon2id (bcrypt, Django PBKDF2, md5-/sha-crypt, argon2i/d).
  const weak = lower.match(/\$2[abxy]\$\d\d\$|pbkdf2_sha256\$|\$argon2[id]\$|\$[156]\$[./a-z0-9]{1,16}\$/g) ?? [];
  assert.deepEqual(weak, [], `${when}: only argon2id hashes`);
}

test(`${kind}: an interrupted import resumes; rejects are reported on the right lines; a re-run imports nothing new`, async () => {
  const stop = new AbortController();
  const first = await t.services.legacyImport.importMembers({ file: sample, rejectsFile: rejectsFile(), batchSize: 200, signal: stop.signal, onProgress: (p) => p.imported > 0 && stop.abort() });
  assert.equal(first.interrupted, true);
  assert.ok(first.imported >= 190 && first.imported <= 200, `${first.imported} in the first batch`);

  const resumed = await t.services.legacyImport.importMembers({ file: sample, rejectsFile: rejectsFile() });
  const expected = expectedRejects(rows);
  assert.equal(expected.length, 10, 'the sample has ten bad rows');
  assert.deepEqual(readFileSync(rejectsFile(), 'utf8').trim().split('\n'), ['line,legacy_id,reason', ...expected]);
  assert.equal(resumed.rows, 1000);
  assert.equal(resumed.skipped, first.imported);
  assert.equal(first.imported + resumed.imported, 990);
  assert.equal(resumed.withoutPassword, 1);

  const again = await t.services.legacyImport.importMembers({ file: sample, rejectsFile: rejectsFile() });
  assert.deepEqual({ imported: again.imported, skipped: again.skipped, rejected: again.rejected }, { imported: 0, skipped: 990, rejected: 10 });
  assert.deepEqual(readFileSync(rejectsFile(), 'utf8').trim().split('\n').slice(1), expected, 'the same report again');

  const status = await t.services.legacyImport.status();
  assert.equal(status.imported, 990);
  assert.equal(status.pending, 989);
  assert.deepEqual(Object.keys(status.passwordsBySchemes).filter((s) => !s.startsWith('pending:')), []);
});

test(`${kind}: personal data is encrypted as for a join, names made unique`, async () => {
  const [line] = answers;
  const fields = rows.find((row) => row.line === line!.line)!.fields;
  const row = await t.services.database.db.selectFrom('members').selectAll().where('legacy_id', '=', line!.legacy_id).executeTakeFirstOrThrow();
  const member = (await t.services.flows.store.members.findById(row.id))!;
  assert.equal(member.email, fields[2]!.trim());
  assert.equal(member.birthDate, fields[3]);
  assert.match(member.displayName, new RegExp(`^${fields[1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( #${line!.legacy_id})?$`));
  assert.equal(member.createdAt, Date.parse(`${fields[4]!.replace(' ', 'T')}Z`));
  assert.equal(member.emailVerified, fields[8] === '1');
  // "Łukasz Smith, Jr." is in the file twice (legacy ids 28 and 36): the later one gets a suffix.
  const names = await Promise.all(
    ['28', '36'].map(async (id) => {
      const { id: memberId } = await t.services.database.db.selectFrom('members').select('id').where('legacy_id', '=', id).executeTakeFirstOrThrow();
      return (await t.services.flows.store.members.findById(memberId))!.displayName;
    }),
  );
  assert.deepEqual(names, ['Łukasz Smith, Jr.', 'Łukasz Smith, Jr. #36']);
});

test(`${kind}: every answers row signs in with its old password (half pending, half wrapped) and is upgraded to argon2id; the dump stays clean throughout`, async () => {
  assertDumpClean('after the import');
  const [early, late] = [answers.filter((_, i) => i % 2 === 0), answers.filter((_, i) => i % 2 === 1)];

  for (const answer of early) {
    assert.match((await credentialOf(answer.legacy_id)).scheme, /^pending:/);
    await signIn(answer.email, answer.password);
    const upgraded = await credentialOf(answer.legacy_id);
    assert.equal(upgraded.scheme, 'argon2id');
    assert.match(upgraded.secret, /^\$argon2id\$/);
    assert.equal(upgraded.salt, null);
  }
  const wrong = await t.api('POST', '/api/v1/sessions', { body: { email: late[0]!.email, password: `${late[0]!.password}x` } });
  assert.equal(wrong.json().error.code, 'credentials_invalid');

  // The server's idle loop first (as `serve` runs it), then the job as `playerpass import wrap` runs it.
  const before = await t.services.legacyImport.wrap.remaining();
  assert.equal(before, 989 - early.length);
  t.services.legacyImport.idleWrapper.start();
  for (let waited = 0; (await t.services.legacyImport.wrap.remaining()) > before - 100 && waited < 30_000; waited += 50) await sleep(50);
  await t.services.legacyImport.idleWrapper.stop();
  const partial = await t.services.legacyImport.wrap.remaining();
  assert.ok(partial <= before - 100, `the idle loop wrapped ${before - partial}`);
  assertDumpClean('during the wrap');
  const rest = await t.services.legacyImport.wrap.run({ concurrency: 2 });
  assert.deepEqual({ ...rest, cursor: undefined }, { wrapped: partial, failed: 0, done: true, cursor: undefined });
  assert.equal(await t.services.legacyImport.wrap.remaining(), 0);
  assertDumpClean('after the wrap');

  for (const answer of late) {
    assert.match((await credentialOf(answer.legacy_id)).scheme, /^wrapped:/);
    await signIn(answer.email, answer.password);
    const upgraded = await credentialOf(answer.legacy_id);
    assert.equal(upgraded.scheme, 'argon2id');
    assert.match(upgraded.secret, /^\$argon2id\$/);
  }
  const schemes = (await t.services.legacyImport.status()).passwordsBySchemes;
  assert.equal(schemes.argon2id, answers.length);
  assertDumpClean('after the sign-ins');
});

test(`${kind}: a member imported without a password (none) is refused like any wrong password and gets in through a reset`, async () => {
  const none = rows.find((row) => row.fields[5] === 'none')!;
  const email = none.fields[2]!;
  const refused = await t.api('POST', '/api/v1/sessions', { body: { email, password: 'whatever they try' } });
  assert.equal(refused.statusCode, 401);
  assert.equal(refused.json().error.code, 'credentials_invalid', 'no hint that the account exists');
  const { must_reset } = await t.services.database.db.selectFrom('members').select('must_reset').where('legacy_id', '=', none.fields[0]!).executeTakeFirstOrThrow();
  assert.equal(must_reset, 1);

  assert.equal((await t.api('POST', '/api/v1/password-resets', { body: { email } })).statusCode, 202);
  await t.deliverMail();
  const mail = await t.smtp.waitForMail((m) => m.to.includes(email) && /reset/i.test(m.subject));
  const completed = await t.api('POST', '/api/v1/password-resets/complete', { body: { token: t.smtp.tokenIn(mail, '/reset'), newPassword: 'a brand new passphrase 7' } });
  assert.equal(completed.statusCode, 204);
  await signIn(email, 'a brand new passphrase 7');
  assert.equal((await credentialOf(none.fields[0]!)).scheme, 'argon2id');
});

test(`${kind}: the dump check does find a hash left in clear`, async () => {
  const planted = rows[1]!.fields[6]!;
  await t.services.database.db.insertInto('meta').values({ key: 'planted', value: planted.toUpperCase() }).execute();
  assert.throws(() => assertDumpClean('planted'), /line 2's/);
});
