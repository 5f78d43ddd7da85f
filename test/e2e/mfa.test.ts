import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateSync } from 'otplib';
import { joinVerified, type TestMember } from '../helpers/members.ts';
import { buildTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Second factors through the JSON API on a real store with real mail: an authenticator app (TOTP),
 * the sign-in step it adds, its limits, recovery codes, and recent authentication for changes.
 */
let t: TestApp;
let ip = 0;
/** Each sign-in from an address of its own, so the per-IP limits of one test do not reach the next. */
const fromNewIp = () => `198.51.${Math.floor(++ip / 250)}.${ip % 250}`;

const code = (secret: string, offsetSeconds = 0) => generateSync({ secret, epoch: Math.floor(t.clock.now() / 1000) + offsetSeconds });
const nextStep = () => t.clock.advance(30_000);

async function post(url: string, body: unknown, options: { token?: string; ip?: string } = {}) {
  return t.app.inject({
    method: 'POST',
    url,
    payload: body as object,
    remoteAddress: options.ip ?? fromNewIp(),
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
  });
}

async function signIn(member: TestMember, ipAddress = fromNewIp()) {
  return post('/api/v1/sessions', { email: member.email, password: member.password }, { ip: ipAddress });
}

async function tokenOf(member: TestMember): Promise<string> {
  const answer = await signIn(member);
  assert.equal(answer.statusCode, 201, answer.body);
  return answer.json().token as string;
}

/** Signs in, sets up an authenticator app and returns its secret, the recovery codes and the session. */
async function enrolTotp(member: TestMember): Promise<{ secret: string; recoveryCodes: string[]; token: string }> {
  const token = await tokenOf(member);
  const started = await post('/api/v1/me/mfa/totp', undefined, { token });
  assert.equal(started.statusCode, 201, started.body);
  const { secret } = started.json() as { secret: string };
  const confirmed = await post('/api/v1/me/mfa/totp/confirm', { code: code(secret) }, { token });
  assert.equal(confirmed.statusCode, 200, confirmed.body);
  return { secret, recoveryCodes: confirmed.json().recoveryCodes as string[], token };
}

async function mailTo(member: TestMember, subject: RegExp) {
  await t.deliverMail();
  return t.smtp.waitForMail((m) => m.to.includes(member.email) && subject.test(m.subject));
}

const mailsTo = (member: TestMember, subject: RegExp) => t.smtp.mails.filter((m) => m.to.includes(member.email) && subject.test(m.subject)).length;

const someone = (name: string): TestMember => ({
  displayName: `Mfa ${name}`,
  email: `mfa.${name.toLowerCase()}@example.com`,
  birthDate: '1990-04-01',
  password: `a fine passphrase for ${name}`,
});

before(async () => {
  t = await buildTestApp();
});
after(async () => {
  await t?.close();
});

test('enrol an authenticator app: QR code and secret, a wrong first code refused, the right one turns it on with 10 recovery codes and a mail', async () => {
  const member = someone('Enrol');
  await joinVerified(t, member);
  const token = await tokenOf(member);
  assert.deepEqual((await t.api('GET', '/api/v1/me/mfa', { token })).json(), { enabled: false, totp: 'off', passkeys: 0, recoveryCodesLeft: 0 });

  const started = await post('/api/v1/me/mfa/totp', undefined, { token });
  assert.equal(started.statusCode, 201);
  const { secret, uri, qrSvg } = started.json() as { secret: string; uri: string; qrSvg: string };
  assert.match(secret, /^[A-Z2-7]{32}$/, '160-bit base32 secret');
  assert.equal(new URL(uri).protocol, 'otpauth:');
  assert.equal(new URL(uri).searchParams.get('secret'), secret);
  assert.match(qrSvg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((await t.api('GET', '/api/v1/me/mfa', { token })).json().totp, 'pending');

  const wrong = await post('/api/v1/me/mfa/totp/confirm', { code: code(secret, 600) }, { token });
  assert.equal(wrong.statusCode, 400);
  assert.deepEqual(wrong.json().error.fields, { code: 'code_invalid' });

  const confirmed = await post('/api/v1/me/mfa/totp/confirm', { code: code(secret) }, { token });
  assert.equal(confirmed.statusCode, 200);
  const codes = confirmed.json().recoveryCodes as string[];
  assert.equal(codes.length, 10);
  assert.equal(new Set(codes).size, 10);
  for (const c of codes) assert.match(c, /^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
  assert.deepEqual((await t.api('GET', '/api/v1/me/mfa', { token })).json(), { enabled: true, totp: 'on', passkeys: 0, recoveryCodesLeft: 10 });

  const notice = await mailTo(member, /sign-in methods changed/i);
  assert.match(notice.text, /authenticator app was added/i);
  assert.doesNotMatch(notice.text, new RegExp(secret), 'the secret is never mailed');

  const again = await post('/api/v1/me/mfa/totp', undefined, { token });
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().error.code, 'totp_already_enabled');
});

test('sign-in then needs the code: mfa_required with a challenge, a code once only, ±1 step of drift', async () => {
  const member = someone('Code');
  await joinVerified(t, member);
  const { secret } = await enrolTotp(member);
  nextStep();

  const first = await signIn(member);
  assert.equal(first.statusCode, 200);
  const challenge = first.json();
  assert.equal(challenge.status, 'mfa_required');
  assert.deepEqual(challenge.methods, ['totp', 'recovery_code']);
  assert.ok(challenge.challengeId.length >= 40);
  assert.equal(Date.parse(challenge.expiresAt), t.clock.now() + 5 * 60_000);
  assert.equal(challenge.token, undefined, 'no session before the second step');
  assert.doesNotMatch(String(first.headers['set-cookie'] ?? ''), /pp_session=/);

  const used = code(secret);
  const passed = await post('/api/v1/sessions/mfa', { challengeId: challenge.challengeId, code: used });
  assert.equal(passed.statusCode, 201, passed.body);
  const session = passed.json();
  assert.equal(session.member.displayName, member.displayName);
  assert.equal((await t.api('GET', '/api/v1/me', { token: session.token })).statusCode, 200);
  assert.match(String(passed.headers['set-cookie']), /pp_session=/);

  const challengeAgain = await post('/api/v1/sessions/mfa', { challengeId: challenge.challengeId, code: used });
  assert.equal(challengeAgain.json().error.code, 'mfa_challenge_invalid', 'a challenge works once');

  const second = (await signIn(member)).json();
  const replay = await post('/api/v1/sessions/mfa', { challengeId: second.challengeId, code: used });
  assert.equal(replay.statusCode, 401);
  assert.equal(replay.json().error.code, 'second_factor_invalid', 'the same code is refused a second time');

  const tooEarly = await post('/api/v1/sessions/mfa', { challengeId: second.challengeId, code: code(secret, 60) });
  assert.equal(tooEarly.statusCode, 401, 'two steps ahead is outside the drift window');
  const drifted = await post('/api/v1/sessions/mfa', { challengeId: second.challengeId, code: code(secret, 30) });
  assert.equal(drifted.statusCode, 201, 'a phone one step ahead still signs in');

  nextStep();
  const third = (await signIn(member)).json();
  const behind = await post('/api/v1/sessions/mfa', { challengeId: third.challengeId, code: code(secret, -30) });
  assert.equal(behind.statusCode, 401, 'a step older than the last one used is refused (replay guard)');

  t.clock.advance(5 * 60_000 + 1);
  const expired = await post('/api/v1/sessions/mfa', { challengeId: third.challengeId, code: code(secret) });
  assert.equal(expired.statusCode, 400);
  assert.equal(expired.json().error.code, 'mfa_challenge_invalid', 'the step lasts five minutes');

  const neither = await post('/api/v1/sessions/mfa', { challengeId: (await signIn(member)).json().challengeId });
  assert.equal(neither.statusCode, 400);
  assert.equal(neither.json().error.code, 'validation_failed');
});

test('wrong codes: five void a challenge, and past the member budget even the right code gets 429', async () => {
  const member = someone('Guess');
  await joinVerified(t, member);
  const { secret } = await enrolTotp(member);
  nextStep();
  const wrong = (s: string) => (s === '000000' ? '111111' : '000000');

  const burned = (await signIn(member)).json().challengeId as string;
  for (let i = 0; i < 5; i++) {
    const answer = await post('/api/v1/sessions/mfa', { challengeId: burned, code: wrong(code(secret)) });
    assert.equal(answer.statusCode, 401, `try ${i + 1}`);
  }
  const afterFive = await post('/api/v1/sessions/mfa', { challengeId: burned, code: code(secret) });
  assert.equal(afterFive.json().error.code, 'mfa_challenge_invalid', 'five wrong tries end the challenge');

  const second = (await signIn(member)).json().challengeId as string;
  for (let i = 0; i < 5; i++) assert.equal((await post('/api/v1/sessions/mfa', { challengeId: second, code: wrong(code(secret)) })).statusCode, 401);

  const third = (await signIn(member)).json().challengeId as string;
  const limited = await post('/api/v1/sessions/mfa', { challengeId: third, code: code(secret) });
  assert.equal(limited.statusCode, 429, 'ten failures in 15 minutes: the right code is refused too');
  assert.equal(limited.json().error.code, 'rate_limited');
  assert.ok(Number(limited.headers['retry-after']) > 0);

  const audit = await t.services.database.db.selectFrom('audit_events').select('type').where('type', '=', 'sign_in.mfa_failed').execute();
  assert.ok(audit.length >= 10, 'each failure is in the audit trail');
});

test('a recovery code signs in once, mails a notice, and new codes void the old set', async () => {
  const member = someone('Recover');
  await joinVerified(t, member);
  const { recoveryCodes } = await enrolTotp(member);

  const challenge = (await signIn(member)).json().challengeId as string;
  const typed = recoveryCodes[3]!.toUpperCase().replace(/-/g, ' ');
  const recovered = await post('/api/v1/sessions/mfa', { challengeId: challenge, recoveryCode: typed });
  assert.equal(recovered.statusCode, 201, recovered.body);
  const token = recovered.json().token as string;
  const notice = await mailTo(member, /recovery code was used/i);
  assert.match(notice.text, /9 are left/);
  assert.equal((await t.api('GET', '/api/v1/me/mfa', { token })).json().recoveryCodesLeft, 9);

  const reuse = await post('/api/v1/sessions/mfa', { challengeId: (await signIn(member)).json().challengeId, recoveryCode: recoveryCodes[3] });
  assert.equal(reuse.statusCode, 401);
  assert.equal(reuse.json().error.code, 'second_factor_invalid', 'a recovery code works once');

  const before = mailsTo(member, /sign-in methods changed/i);
  const fresh = await post('/api/v1/me/mfa/recovery-codes', undefined, { token });
  assert.equal(fresh.statusCode, 201);
  const newCodes = fresh.json().recoveryCodes as string[];
  assert.equal(newCodes.length, 10);
  await mailTo(member, /sign-in methods changed/i);
  assert.equal(mailsTo(member, /sign-in methods changed/i), before + 1);
  const old = await post('/api/v1/sessions/mfa', { challengeId: (await signIn(member)).json().challengeId, recoveryCode: recoveryCodes[0] });
  assert.equal(old.statusCode, 401, 'the old set is void');
  const fromNew = await post('/api/v1/sessions/mfa', { challengeId: (await signIn(member)).json().challengeId, recoveryCode: newCodes[0] });
  assert.equal(fromNew.statusCode, 201);

  const rows = await t.services.database.db.selectFrom('recovery_codes').select('code_hash').execute();
  for (const c of [...recoveryCodes, ...newCodes]) assert.ok(!rows.some((r) => r.code_hash.includes(c.replace(/-/g, ''))), 'only hashes are stored');
});

test('removing a factor needs a recent sign-in or the password again, and mails a notice', async () => {
  const member = someone('Remove');
  await joinVerified(t, member);
  const { secret, token } = await enrolTotp(member);
  t.clock.advance(11 * 60_000);

  const refused = await t.app.inject({ method: 'DELETE', url: '/api/v1/me/mfa/totp', headers: { authorization: `Bearer ${token}` } });
  assert.equal(refused.statusCode, 403);
  assert.equal(refused.json().error.code, 'reauthentication_required');
  const codesRefused = await post('/api/v1/me/mfa/recovery-codes', undefined, { token });
  assert.equal(codesRefused.json().error.code, 'reauthentication_required');
  const passkeyRefused = await post('/api/v1/me/mfa/passkeys/options', undefined, { token });
  assert.equal(passkeyRefused.json().error.code, 'reauthentication_required');
  assert.equal((await t.api('GET', '/api/v1/me/mfa', { token })).json().totp, 'on', 'nothing changed');

  const wrongPassword = await post('/api/v1/sessions/current/reauthentication', { password: 'not the password' }, { token });
  assert.equal(wrongPassword.statusCode, 403);
  assert.equal(wrongPassword.json().error.code, 'password_incorrect');
  const confirmed = await post('/api/v1/sessions/current/reauthentication', { password: member.password }, { token });
  assert.equal(confirmed.statusCode, 204);

  const removed = await t.app.inject({ method: 'DELETE', url: '/api/v1/me/mfa/totp', headers: { authorization: `Bearer ${token}` } });
  assert.equal(removed.statusCode, 204);
  const notice = await mailTo(member, /sign-in methods changed/i).then(() =>
    t.smtp.mails.filter((m) => m.to.includes(member.email) && /authenticator app was removed/i.test(m.text)),
  );
  assert.equal(notice.length, 1);
  assert.deepEqual((await t.api('GET', '/api/v1/me/mfa', { token })).json(), { enabled: false, totp: 'off', passkeys: 0, recoveryCodesLeft: 0 });
  assert.equal((await signIn(member)).statusCode, 201, 'with no factor left the password signs in again');
  assert.ok(secret);
});

test('a password reset never turns MFA off: the second step still comes, and a recovery code gets the member in', async () => {
  const member = someone('Reset');
  await joinVerified(t, member);
  const { recoveryCodes } = await enrolTotp(member);
  assert.equal((await post('/api/v1/password-resets', { email: member.email })).statusCode, 202);
  const mail = await mailTo(member, /reset/i);
  const newPassword = 'the reset gave a new passphrase';
  assert.equal((await post('/api/v1/password-resets/complete', { token: t.smtp.tokenIn(mail, '/reset'), newPassword })).statusCode, 204);

  const after = await signIn({ ...member, password: newPassword });
  assert.equal(after.statusCode, 200);
  assert.equal(after.json().status, 'mfa_required');
  assert.equal((await post('/api/v1/sessions/mfa', { challengeId: after.json().challengeId, recoveryCode: recoveryCodes[9] })).statusCode, 201);
});

test('the TOTP secret is stored encrypted, bound to its member', async () => {
  const member = someone('Stored');
  await joinVerified(t, member);
  const { secret } = await enrolTotp(member);
  const row = await t.services.database.db.selectFrom('member_totp').selectAll().innerJoin('members', 'members.id', 'member_totp.member_id').where('members.email_idx', 'is not', null).execute();
  assert.ok(row.length >= 1);
  for (const r of row) {
    assert.match(r.secret_ct, /^v1\.\d+\./);
    assert.ok(!r.secret_ct.includes(secret));
  }
  // Copied into another member's row, the ciphertext no longer decrypts.
  const [a, b] = row;
  if (a && b) {
    await t.services.database.db.updateTable('member_totp').set({ secret_ct: a.secret_ct }).where('member_id', '=', b.member_id).execute();
    await assert.rejects(t.services.flows.store.totp.find(b.member_id), /failed authentication/);
  }
});

test('passkeys through the API: options for our relying party, a forged response refused, each challenge used once', async () => {
  const member = someone('Keys');
  await joinVerified(t, member);
  const token = await tokenOf(member);
  const started = await post('/api/v1/me/mfa/passkeys/options', undefined, { token });
  assert.equal(started.statusCode, 201, started.body);
  const { challengeId, options } = started.json();
  assert.equal(options.rp.id, 'playerpass.test', 'the RP id is the public URL host');
  assert.equal(options.authenticatorSelection.residentKey, 'required', 'discoverable, for passwordless sign-in');
  assert.equal(options.user.name, member.email);

  const forged = { id: 'AAAA', rawId: 'AAAA', type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: 'e30', attestationObject: 'oA' } };
  const refused = await post('/api/v1/me/mfa/passkeys', { challengeId, name: 'Forged', response: forged }, { token });
  assert.equal(refused.statusCode, 400);
  assert.equal(refused.json().error.code, 'passkey_invalid');
  const again = await post('/api/v1/me/mfa/passkeys', { challengeId, name: 'Forged', response: forged }, { token });
  assert.equal(again.json().error.code, 'mfa_challenge_invalid', 'one try per ceremony');
  const otherSession = await tokenOf(member);
  const fresh = (await post('/api/v1/me/mfa/passkeys/options', undefined, { token })).json().challengeId as string;
  const stolen = await post('/api/v1/me/mfa/passkeys', { challengeId: fresh, response: forged }, { token: otherSession });
  assert.equal(stolen.json().error.code, 'mfa_challenge_invalid', 'only the session that asked may finish');

  assert.deepEqual((await t.api('GET', '/api/v1/me/mfa/passkeys', { token })).json(), []);
  assert.equal((await t.api('PATCH', '/api/v1/me/mfa/passkeys/nope', { token, body: { name: 'x' } })).statusCode, 404);
  assert.equal((await t.api('DELETE', '/api/v1/me/mfa/passkeys/nope', { token })).statusCode, 404);
  assert.equal((await t.api('GET', '/api/v1/me/mfa', { token })).json().enabled, false);

  const passwordless = await post('/api/v1/passkey-sign-ins', undefined);
  assert.equal(passwordless.statusCode, 201);
  assert.equal(passwordless.json().options.userVerification, 'required');
  assert.equal(passwordless.json().options.rpId, 'playerpass.test');
  const assertion = { id: 'AAAA', rawId: 'AAAA', type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: 'e30', authenticatorData: 'AA', signature: 'AA' } };
  const unknown = await post('/api/v1/passkey-sign-ins/verify', { challengeId: passwordless.json().challengeId, response: assertion });
  assert.equal(unknown.statusCode, 401);
  assert.equal(unknown.json().error.code, 'second_factor_invalid');
  const reused = await post('/api/v1/passkey-sign-ins/verify', { challengeId: passwordless.json().challengeId, response: assertion });
  assert.equal(reused.json().error.code, 'mfa_challenge_invalid');
});
