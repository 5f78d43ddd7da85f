import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { generateSync } from 'otplib';
import { hashToken } from '../../src/crypto/random.ts';
import { addCanary } from '../../src/ops/canaries/add.ts';
import { createIncidentService } from '../../src/ops/incidents/service.ts';
import { joinVerified, type TestMember } from '../helpers/members.ts';
import { buildTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * GDPR access, portability and erasure on a real store (PLAYERPASS_TEST_STORE) with real mail:
 * GET /api/v1/me/export and DELETE /api/v1/me, their pages, and what is left in the database.
 */
let t: TestApp;
const ADMIN_TOKEN = 'admin-token-for-gdpr-tests-0123456789abcdef';
let ip = 0;
/** Each sign-in from an address of its own, so per-IP limits of one test do not reach the next. */
const fromNewIp = () => `198.51.100.${++ip % 250}`;
const db = () => t.services.database.db;

before(async () => {
  t = await buildTestApp({ env: { PLAYERPASS_ADMIN_TOKEN: ADMIN_TOKEN } });
});
after(async () => {
  await t?.close();
});

const someone = (name: string): TestMember => ({
  displayName: `Gdpr ${name}`,
  email: `gdpr.${name.toLowerCase()}@example.com`,
  birthDate: '1988-11-05',
  password: `${name} has a long passphrase 7`,
});

function call(method: 'GET' | 'POST' | 'DELETE', url: string, options: { token?: string; body?: unknown; agent?: string } = {}): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method,
    url,
    remoteAddress: fromNewIp(),
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), 'user-agent': options.agent ?? 'GdprTest/1.0' },
    ...(options.body !== undefined ? { payload: options.body as object } : {}),
  });
}

async function signIn(member: TestMember, agent?: string): Promise<string> {
  const answer = await call('POST', '/api/v1/sessions', { body: { email: member.email, password: member.password }, ...(agent ? { agent } : {}) });
  assert.equal(answer.statusCode, 201, answer.body);
  return answer.json().token as string;
}

/** Tables (besides the ones named) with a row whose text holds `needle`. */
async function tablesHolding(needle: string): Promise<string[]> {
  const names =
    t.services.database.dialect === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db())).rows.map((r) => r.name)
      : (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db())).rows.map((r) => r.name);
  const found: string[] = [];
  for (const name of names) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db())).rows;
    if (rows.some((row) => JSON.stringify(row).includes(needle))) found.push(name);
  }
  return found.sort();
}

async function memberId(token: string): Promise<string> {
  return (await call('GET', '/api/v1/me', { token })).json().id as string;
}

test('export: the decrypted profile, sessions, factors, games and audit events, and no secret', async () => {
  const member = someone('Export');
  await joinVerified(t, member);
  const token = await signIn(member, 'ExportBrowser/2.0');
  const id = await memberId(token);

  // An authenticator app (its secret and recovery codes must stay out) and a game signed in to.
  const started = await call('POST', '/api/v1/me/mfa/totp', { token });
  assert.equal(started.statusCode, 201, started.body);
  const secret = started.json().secret as string;
  const confirmed = await call('POST', '/api/v1/me/mfa/totp/confirm', { token, body: { code: generateSync({ secret, epoch: Math.floor(t.clock.now() / 1000) }) } });
  assert.equal(confirmed.statusCode, 200, confirmed.body);
  const recoveryCodes = confirmed.json().recoveryCodes as string[];
  const { client } = await t.services.oidc.clients.add({ name: 'Star Racer', type: 'public', redirectUris: ['https://racer.example.test/cb'] });
  const sub = await t.services.oidc.subjects.forMember(id);
  const grant = new (t.services.oidc.provider().Grant)({ accountId: sub, clientId: client.clientId });
  grant.addOIDCScope('openid email');
  await grant.save();

  const answer = await call('GET', '/api/v1/me/export', { token });
  assert.equal(answer.statusCode, 200, answer.body);
  assert.match(String(answer.headers['content-disposition']), /^attachment; filename="playerpass-export-\d{4}-\d\d-\d\d\.json"$/);
  assert.match(String(answer.headers['content-type']), /^application\/json/);
  assert.equal(answer.headers['cache-control'], 'no-store');
  const file = answer.json();
  assert.deepEqual(
    { ...file.profile, createdAt: undefined, updatedAt: undefined },
    { id, displayName: member.displayName, email: member.email, emailVerified: true, birthDate: member.birthDate, status: 'active', createdAt: undefined, updatedAt: undefined },
  );
  assert.equal(file.sessions.length, 1);
  assert.equal(file.sessions[0].current, true);
  assert.equal(file.sessions[0].device, 'ExportBrowser/2.0');
  assert.match(file.sessions[0].ipPrefix, /^198\.51\.100\.0\/24$/);
  assert.equal(file.knownDevices.length >= 0, true);
  assert.equal(file.secondFactors.authenticatorApp.enabled, true);
  assert.ok(file.secondFactors.authenticatorApp.since);
  assert.equal(file.secondFactors.recoveryCodesLeft, 10);
  assert.equal(file.connectedApps.subject, sub);
  assert.deepEqual(file.connectedApps.grants.map((g: { clientName: string; scopes: string[] }) => [g.clientName, [...g.scopes].sort()]), [['Star Racer', ['email', 'openid']]]);
  const types = (file.auditEvents as { type: string; at: string }[]).map((e) => e.type);
  assert.ok(types.includes('member.joined') && types.some((type) => type.startsWith('mfa.')), types.join());

  const text = answer.body;
  const stored = await db().selectFrom('credentials').select('secret').where('member_id', '=', id).executeTakeFirstOrThrow();
  const tokenHashes = (await db().selectFrom('sessions').select('token_hash').where('member_id', '=', id).execute()).map((r) => r.token_hash);
  const codeHashes = (await db().selectFrom('recovery_codes').select('code_hash').where('member_id', '=', id).execute()).map((r) => r.code_hash);
  const totpRow = await db().selectFrom('member_totp').select('secret_ct').where('member_id', '=', id).executeTakeFirstOrThrow();
  for (const value of [stored.secret, '$argon2', secret, totpRow.secret_ct, token, hashToken(token), ...tokenHashes, ...codeHashes, ...recoveryCodes]) {
    assert.equal(text.includes(value), false, `the export holds a secret: ${value.slice(0, 12)}…`);
  }
  assert.doesNotMatch(text, /token_hash|secret_ct|code_hash|public_key|"v1\.\d+\./);

  const audited = await db().selectFrom('audit_events').select(['data']).where('type', '=', 'account.exported').where('member_id', '=', id).execute();
  assert.equal(audited.length, 1);
});

test('export needs a recent sign-in (or the password again) and is limited to three an hour', async () => {
  const member = someone('Stale');
  await joinVerified(t, member);
  const token = await signIn(member);
  assert.equal((await call('GET', '/api/v1/me/export', { token })).statusCode, 200);

  t.clock.advance(11 * 60_000);
  const stale = await call('GET', '/api/v1/me/export', { token });
  assert.equal(stale.statusCode, 403);
  assert.equal(stale.json().error.code, 'reauthentication_required');
  assert.equal((await call('POST', '/api/v1/sessions/current/reauthentication', { token, body: { password: member.password } })).statusCode, 204);
  assert.equal((await call('GET', '/api/v1/me/export', { token })).statusCode, 200);
  assert.equal((await call('GET', '/api/v1/me/export', { token })).statusCode, 200);
  const limited = await call('GET', '/api/v1/me/export', { token });
  assert.equal(limited.statusCode, 429);
  assert.equal(limited.json().error.code, 'rate_limited');
  assert.ok(Number(limited.headers['retry-after']) > 0);
  assert.equal((await call('GET', '/api/v1/me/export')).statusCode, 401);
});

test('delete: the password, then nothing personal is left, the address can join again, a goodbye mail', async () => {
  const member = someone('Leaver');
  await joinVerified(t, member);
  const token = await signIn(member, 'LeaverPhone/1.0');
  const other = await signIn(member, 'LeaverLaptop/3.0');
  const id = await memberId(token);
  const sessionIds = (await db().selectFrom('sessions').select('id').where('member_id', '=', id).execute()).map((r) => r.id);

  // Something in every table: factors, a game, an email change in flight, a reset mail not yet sent.
  const started = await call('POST', '/api/v1/me/mfa/totp', { token });
  const secret = started.json().secret as string;
  const confirmed = await call('POST', '/api/v1/me/mfa/totp/confirm', { token, body: { code: generateSync({ secret, epoch: Math.floor(t.clock.now() / 1000) }) } });
  assert.equal(confirmed.statusCode, 200);
  const recoveryCodes = confirmed.json().recoveryCodes as string[];
  const { client } = await t.services.oidc.clients.add({ name: 'Pit Stop', type: 'public', redirectUris: ['https://pit.example.test/cb'] });
  const sub = await t.services.oidc.subjects.forMember(id);
  const grant = new (t.services.oidc.provider().Grant)({ accountId: sub, clientId: client.clientId });
  grant.addOIDCScope('openid');
  await grant.save();
  assert.equal((await call('POST', '/api/v1/me/email', { token, body: { newEmail: 'gdpr.leaver.new@example.com', currentPassword: member.password } })).statusCode, 202);
  await t.deliverMail();
  assert.equal((await call('POST', '/api/v1/password-resets', { body: { email: member.email } })).statusCode, 202);
  const mailsBefore = t.smtp.mails.length;

  const missing = await call('DELETE', '/api/v1/me', { token, body: {} });
  assert.equal(missing.statusCode, 400);
  assert.equal(missing.json().error.fields.currentPassword, 'required');
  const wrong = await call('DELETE', '/api/v1/me', { token, body: { currentPassword: 'not my passphrase' } });
  assert.equal(wrong.statusCode, 403);
  assert.equal(wrong.json().error.code, 'password_incorrect');
  assert.equal((await call('GET', '/api/v1/me', { token })).statusCode, 200, 'a refusal deletes nothing');

  const deleted = await call('DELETE', '/api/v1/me', { token, body: { currentPassword: member.password } });
  assert.equal(deleted.statusCode, 204, deleted.body);

  assert.equal((await call('GET', '/api/v1/me', { token })).statusCode, 401, 'the session used is gone');
  assert.equal((await call('GET', '/api/v1/me', { token: other })).statusCode, 401, 'every other session is gone');
  const old = await call('POST', '/api/v1/sessions', { body: { email: member.email, password: member.password } });
  assert.equal(old.statusCode, 401);
  assert.equal(old.json().error.code, 'credentials_invalid');

  await t.deliverMail();
  const goodbye = await t.smtp.waitForMail((m) => m.to.includes(member.email) && /account was deleted/i.test(m.subject));
  assert.match(goodbye.text, /deleted/);
  const after = t.smtp.mails.slice(mailsBefore);
  assert.deepEqual(after.filter((m) => m.to.includes(member.email)).map((m) => m.subject), [goodbye.subject], 'the queued reset mail was dropped, not sent');

  // Only the audit trail keeps the bare id; the deletion event carries nothing else.
  for (const needle of [id, ...sessionIds, sub]) assert.deepEqual(await tablesHolding(needle), needle === id ? ['audit_events'] : [], `rows still hold ${needle}`);
  const event = await db().selectFrom('audit_events').select(['data', 'ip_prefix']).where('type', '=', 'account.deleted').where('member_id', '=', id).executeTakeFirstOrThrow();
  assert.deepEqual([event.data, event.ip_prefix], ['{}', null]);
  const withRecipient = await db().selectFrom('outbox').select('id').where('recipient_ct', '<>', '').execute();
  assert.deepEqual(withRecipient, [], 'sent mail keeps no recipient');
  assert.equal((await db().selectFrom('oidc_payloads').select('id').where('account_id', '=', sub).execute()).length, 0);

  // What a thief copying the database now would find of them.
  const dump = t.services.database.dialect === 'sqlite' ? sqliteBytes() : execFileSync('pg_dump', ['--no-owner', t.databaseUrl!], { maxBuffer: 64 * 1024 * 1024 });
  const lower = dump.toString('utf8').toLowerCase();
  for (const needle of [member.displayName, member.email, 'gdpr.leaver.new@example.com', member.birthDate, member.password, token, other, secret, ...recoveryCodes]) {
    assert.equal(lower.includes(needle.toLowerCase()), false, `found "${needle}" in the dump`);
  }
  if (t.services.database.dialect === 'postgres') {
    // pg_dump writes one COPY block per table: the id appears in the audit trail's only.
    const blocks = dump.toString('utf8').split(/\n(?=COPY )/).filter((block) => block.startsWith('COPY ') && block.includes(id));
    assert.deepEqual(blocks.map((block) => /^COPY (\S+)/.exec(block)![1]), ['public.audit_events']);
  }

  // The address and the display name are free again.
  const seen = t.smtp.mails.length;
  assert.equal((await call('POST', '/api/v1/members', { body: member })).statusCode, 202);
  await t.deliverMail();
  const welcome = await t.smtp.waitForMail((m) => t.smtp.mails.indexOf(m) >= seen && m.to.includes(member.email) && /confirm your email/i.test(m.subject));
  assert.equal((await call('POST', '/api/v1/email-verifications', { body: { token: t.smtp.tokenIn(welcome, '/verify') } })).statusCode, 200);
  assert.notEqual(await memberId(await signIn(member)), id);
});

test('delete: an account without a password needs a recent sign-in instead', async () => {
  const member = someone('Passkeyonly');
  await joinVerified(t, member);
  const token = await signIn(member);
  const id = await memberId(token);
  // As a member who signs in with passkeys only would be: no password on file.
  await db().deleteFrom('credentials').where('member_id', '=', id).execute();
  t.clock.advance(11 * 60_000);
  const stale = await call('DELETE', '/api/v1/me', { token, body: {} });
  assert.equal(stale.statusCode, 403);
  assert.equal(stale.json().error.code, 'reauthentication_required');
  await db().updateTable('sessions').set({ authenticated_at: t.clock.now() }).where('member_id', '=', id).execute();
  t.services.flows.store.changes.changed(id);
  assert.equal((await call('DELETE', '/api/v1/me', { token, body: {} })).statusCode, 204);
  assert.equal(await t.services.flows.store.members.findById(id), undefined);
});

test('delete refuses a canary (as a wrong password) and raises the canary alarm', async () => {
  const canary = await addCanary(t.services.flows.store, t.services.flows.hasher, { domain: 'example.net', clock: t.clock });
  // Someone who learnt the canary's password: nobody legitimate ever does.
  const password = 'a password nobody should know 9';
  await t.services.flows.store.members.setPassword(canary.id, await t.services.flows.hasher.hash(password), t.clock.now());
  const token = await signIn({ displayName: 'x', email: canary.email, birthDate: '', password });
  const refused = await call('DELETE', '/api/v1/me', { token, body: { currentPassword: password } });
  assert.equal(refused.statusCode, 403);
  assert.equal(refused.json().error.code, 'password_incorrect');
  assert.ok(await t.services.flows.store.members.findById(canary.id), 'the canary stays');
  const alarms = await db().selectFrom('audit_events').select('data').where('type', '=', 'alarm.raised').where('member_id', '=', canary.id).execute();
  assert.ok(alarms.some((row) => JSON.parse(row.data).via === 'account_delete'));
});

test('delete honours the profile_changes switch', async () => {
  const member = someone('Switch');
  await joinVerified(t, member);
  const token = await signIn(member);
  const setSwitch = async (state: string, message?: string) => {
    const answer = await t.app.inject({ method: 'PUT', url: '/api/v1/admin/capabilities/profile_changes', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: { state, ...(message ? { message } : {}) } });
    assert.equal(answer.statusCode, 200, answer.body);
  };
  await setSwitch('read_only', 'Back soon');
  try {
    const refused = await call('DELETE', '/api/v1/me', { token, body: { currentPassword: member.password } });
    assert.equal(refused.json().error.code, 'capability_offline');
    assert.equal(refused.json().error.message, 'Back soon');
    assert.equal((await call('GET', '/api/v1/me/export', { token })).statusCode, 200, 'read-only still lets the member read their data');
  } finally {
    await setSwitch('on');
  }
  assert.equal((await call('GET', '/api/v1/me', { token })).statusCode, 200, 'nothing was deleted');
});

test("a deleted member in an open incident's frozen scope: the steps and the report still work", async () => {
  const member = someone('Affected');
  await joinVerified(t, member);
  const token = await signIn(member);
  const id = await memberId(token);
  const incidents = createIncidentService({
    store: t.services.flows.store,
    clock: t.clock,
    audit: t.services.audit,
    defaultContact: 'privacy@example.test',
    mail: { productName: 'playerpass', publicUrl: t.services.config.publicUrl },
    mailQueued: () => undefined,
  });
  const opened = await incidents.openIncident({
    title: 'A backup was exposed',
    window: { from: t.clock.now() - 86_400_000, to: t.clock.now() },
    categories: ['names', 'emails'],
    scope: { kind: 'all' },
    createdBy: 'test',
  });
  const inScope = opened.counts.members!;
  assert.ok((await db().selectFrom('incident_members').select('member_id').where('incident_id', '=', opened.id).where('member_id', '=', id).execute()).length === 1);

  assert.equal((await call('DELETE', '/api/v1/me', { token, body: { currentPassword: member.password } })).statusCode, 204);

  // The scope stays as frozen (the record of the breach); the deleted member is simply no one to act on.
  assert.equal((await incidents.revokeSessions(opened.id)).remaining, 0);
  assert.equal((await incidents.requireResets(opened.id)).remaining, 0);
  const notified = await incidents.notifyMembers(opened.id);
  assert.equal(notified.remaining, 0);
  assert.equal(notified.items, inScope - 1, 'no notice for the deleted member');
  const report = await incidents.report(opened.id);
  assert.equal(report.progress.members, inScope);
  assert.equal(report.incident.counts.members, inScope);
  assert.equal(await t.services.flows.store.members.findById(id), undefined);
});

test('pages: /account offers the download (CSRF), /account/delete asks for the password and signs out', async () => {
  const member = someone('Pages');
  await joinVerified(t, member);
  const token = await signIn(member);
  const account = await t.app.inject({ method: 'GET', url: '/account', headers: { cookie: `pp_session=${token}` } });
  assert.equal(account.statusCode, 200);
  assert.match(account.body, /action="\/account\/export"/);
  assert.match(account.body, /href="\/account\/delete"/);
  const csrfCookie = String([account.headers['set-cookie']].flat().find((c) => String(c).startsWith('pp_csrf='))).split(';')[0];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(account.body)![1]!;
  const cookie = `pp_session=${token}; ${csrfCookie}`;
  const post = (url: string, form: Record<string, string>) =>
    t.app.inject({ method: 'POST', url, remoteAddress: fromNewIp(), headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() });

  assert.equal((await post('/account/export', { _csrf: 'forged' })).statusCode, 403);
  const download = await post('/account/export', { _csrf: csrf });
  assert.equal(download.statusCode, 200);
  assert.match(String(download.headers['content-disposition']), /^attachment;/);
  assert.equal(JSON.parse(download.body).profile.email, member.email);

  // Not recent any more: the form asks for the password, and a wrong one is refused on the page.
  t.clock.advance(11 * 60_000);
  const stale = await t.app.inject({ method: 'GET', url: '/account', headers: { cookie } });
  assert.match(stale.body, /name="password"/);
  const wrongExport = await post('/account/export', { _csrf: csrf, password: 'nope nope nope' });
  assert.equal(wrongExport.statusCode, 403);
  assert.match(wrongExport.headers['content-type'] as string, /text\/html/);
  assert.equal((await post('/account/export', { _csrf: csrf, password: member.password })).statusCode, 200);

  const page = await t.app.inject({ method: 'GET', url: '/account/delete', headers: { cookie } });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /cannot be undone/);
  assert.match(page.body, /name="currentPassword"/);
  assert.equal((await post('/account/delete', { _csrf: 'forged', currentPassword: member.password })).statusCode, 403);
  const wrong = await post('/account/delete', { _csrf: csrf, currentPassword: 'not it at all' });
  assert.equal(wrong.statusCode, 403);
  assert.match(wrong.body, /not right/);
  const done = await post('/account/delete', { _csrf: csrf, currentPassword: member.password });
  assert.equal(done.statusCode, 303);
  assert.equal(done.headers.location, '/account/deleted');
  assert.match(String([done.headers['set-cookie']].flat().find((c) => String(c).startsWith('pp_session='))), /Expires=Thu, 01 Jan 1970/);
  assert.equal((await t.app.inject({ method: 'GET', url: '/account/deleted' })).statusCode, 200);
  assert.equal((await t.app.inject({ method: 'GET', url: '/account', headers: { cookie } })).statusCode, 303, 'signed out');
});

function sqliteBytes(): Buffer {
  const path = t.services.database.sqlitePath!;
  return Buffer.concat([path, `${path}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p)));
}

