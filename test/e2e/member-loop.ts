import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { generateSync } from 'otplib';
import { buildTestApp, type StoreKind, type TestApp } from '../helpers/test-app.ts';

/**
 * The whole member loop through the JSON API, with the real mails, then the database as a thief
 * would get it: the raw SQLite file and WAL, or a pg_dump.
 */
export function memberLoopSuite(kind: StoreKind): void {
  let t: TestApp;
  const secrets: string[] = [];
  const member = {
    displayName: 'Zoë Quasar',
    email: 'Zoe.Quasar+loop@Example.COM',
    birthDate: '1991-07-23',
    password: 'correct horse battery staple',
  };
  const newEmail = 'zoe.elsewhere@example.net';
  const newPassword = 'a whole new passphrase 42';

  before(async () => {
    t = await buildTestApp({ store: kind });
  });
  after(async () => {
    await t?.close();
  });

  const mailTo = async (address: string, subject: RegExp) => {
    await t.deliverMail();
    return t.smtp.waitForMail((m) => m.to.some((to) => to.toLowerCase() === address.toLowerCase()) && subject.test(m.subject));
  };

  test(`${kind}: join → verify → sign in → change name → change email → sign out → reset → old password fails → authenticator app`, async () => {
    const joined = await t.api('POST', '/api/v1/members', { body: member });
    assert.equal(joined.statusCode, 202);
    assert.deepEqual(joined.json(), { status: 'verification_sent' });

    const beforeVerify = await t.api('POST', '/api/v1/sessions', { body: { email: member.email, password: member.password } });
    assert.equal(beforeVerify.statusCode, 403);
    assert.equal(beforeVerify.json().error.code, 'email_unverified');

    const verifyMail = await mailTo(member.email, /confirm/i);
    const verifyToken = t.smtp.tokenIn(verifyMail, '/verify');
    secrets.push(verifyToken);
    const verified = await t.api('POST', '/api/v1/email-verifications', { body: { token: verifyToken } });
    assert.equal(verified.statusCode, 200);
    const again = await t.api('POST', '/api/v1/email-verifications', { body: { token: verifyToken } });
    assert.equal(again.json().error.code, 'token_used', 'a verification link works once');

    const signedIn = await t.api('POST', '/api/v1/sessions', {
      body: { email: '  zoe.quasar+LOOP@example.com ', password: member.password },
      headers: { 'user-agent': 'LoopTest/1.0' },
    });
    assert.equal(signedIn.statusCode, 201);
    const session = signedIn.json();
    secrets.push(session.token);
    assert.equal(session.member.displayName, member.displayName);
    assert.match(String(signedIn.headers['set-cookie']), /pp_session=.*HttpOnly.*SameSite=Lax/i);

    const me = await t.api('GET', '/api/v1/me', { token: session.token });
    assert.equal(me.statusCode, 200);
    assert.deepEqual(
      { ...(me.json() as Record<string, unknown>), id: undefined, createdAt: undefined },
      { id: undefined, createdAt: undefined, displayName: member.displayName, email: member.email, emailVerified: true, birthDate: member.birthDate },
    );

    const renamed = await t.api('PATCH', '/api/v1/me', { token: session.token, body: { displayName: 'Zoë Nova', birthDate: '1991-07-24' } });
    assert.equal(renamed.statusCode, 200);
    assert.equal(renamed.json().displayName, 'Zoë Nova');
    assert.equal(renamed.json().birthDate, '1991-07-24');

    const wrongPassword = await t.api('POST', '/api/v1/me/email', { token: session.token, body: { newEmail, currentPassword: 'not my password' } });
    assert.equal(wrongPassword.statusCode, 403);
    assert.equal(wrongPassword.json().error.code, 'password_incorrect');
    const change = await t.api('POST', '/api/v1/me/email', { token: session.token, body: { newEmail, currentPassword: member.password } });
    assert.equal(change.statusCode, 202);
    const notice = await mailTo(member.email, /email/i);
    assert.doesNotMatch(notice.text, new RegExp(newEmail), 'the old address sees only a masked hint of the new one');
    const confirmMail = await mailTo(newEmail, /confirm/i);
    const changeToken = t.smtp.tokenIn(confirmMail, '/confirm-email');
    secrets.push(changeToken);
    const changed = await t.api('POST', '/api/v1/email-changes', { body: { token: changeToken } });
    assert.equal(changed.statusCode, 200);
    assert.equal((await t.api('GET', '/api/v1/me', { token: session.token })).json().email, newEmail);

    const signedOut = await t.api('DELETE', '/api/v1/sessions/current', { token: session.token });
    assert.equal(signedOut.statusCode, 204);
    assert.equal((await t.api('GET', '/api/v1/me', { token: session.token })).statusCode, 401);

    // A second session that the reset must end.
    const second = await t.api('POST', '/api/v1/sessions', { body: { email: newEmail, password: member.password } });
    assert.equal(second.statusCode, 201);
    const secondToken = second.json().token as string;
    secrets.push(secondToken);

    const reset = await t.api('POST', '/api/v1/password-resets', { body: { email: newEmail } });
    assert.equal(reset.statusCode, 202);
    const resetMail = await mailTo(newEmail, /reset/i);
    const resetToken = t.smtp.tokenIn(resetMail, '/reset');
    secrets.push(resetToken);
    const weak = await t.api('POST', '/api/v1/password-resets/complete', { body: { token: resetToken, newPassword: 'short' } });
    assert.equal(weak.statusCode, 400);
    assert.equal(weak.json().error.fields.newPassword, 'too_short');
    const completed = await t.api('POST', '/api/v1/password-resets/complete', { body: { token: resetToken, newPassword } });
    assert.equal(completed.statusCode, 204);
    const reused = await t.api('POST', '/api/v1/password-resets/complete', { body: { token: resetToken, newPassword: 'yet another passphrase' } });
    assert.equal(reused.json().error.code, 'token_used');
    await mailTo(newEmail, /password/i);

    assert.equal((await t.api('GET', '/api/v1/me', { token: secondToken })).statusCode, 401, 'the reset revoked the older session');
    const old = await t.api('POST', '/api/v1/sessions', { body: { email: newEmail, password: member.password } });
    assert.equal(old.statusCode, 401);
    assert.equal(old.json().error.code, 'credentials_invalid');
    const fresh = await t.api('POST', '/api/v1/sessions', { body: { email: newEmail, password: newPassword } });
    assert.equal(fresh.statusCode, 201);
    secrets.push(fresh.json().token);

    // An authenticator app: its secret and the recovery codes must not be in the dump either.
    const totp = await t.api('POST', '/api/v1/me/mfa/totp', { token: fresh.json().token });
    assert.equal(totp.statusCode, 201);
    const secret = totp.json().secret as string;
    secrets.push(secret, Buffer.from(secret, 'ascii').toString('hex'));
    const confirmed = await t.api('POST', '/api/v1/me/mfa/totp/confirm', { token: fresh.json().token, body: { code: generateSync({ secret, epoch: Math.floor(t.clock.now() / 1000) }) } });
    assert.equal(confirmed.statusCode, 200);
    for (const code of confirmed.json().recoveryCodes as string[]) secrets.push(code, code.replace(/-/g, ''));
  });

  test(`${kind}: a stolen copy of the database holds no personal data, tokens or weak hashes`, async () => {
    // A second member, untouched, so both the original and the changed values are looked for.
    const other = { displayName: 'Kwame Mensah', email: 'kwame.mensah@example.org', birthDate: '1984-02-29', password: 'another fine passphrase' };
    assert.equal((await t.api('POST', '/api/v1/members', { body: other })).statusCode, 202);
    await t.deliverMail();

    const dump = kind === 'sqlite' ? sqliteBytes(t) : pgDump(t.databaseUrl!);
    const lower = dump.toString('utf8').toLowerCase();
    const needles = [
      member.displayName, 'Zoë Nova', member.email, member.email.toLowerCase(), newEmail, member.birthDate, '1991-07-24',
      other.displayName, other.email, other.birthDate, member.password, newPassword, other.password, ...secrets,
    ];
    for (const needle of needles) {
      assert.equal(dump.includes(Buffer.from(needle, 'utf8')), false, `found "${needle}" in the ${kind} dump`);
      assert.equal(lower.includes(needle.toLowerCase()), false, `found "${needle}" (lower-cased) in the ${kind} dump`);
    }
    const hashes = lower.match(/\$(argon2(id|i|d)|2[aby]|pbkdf2|sha|md5)[^$\s]*\$/g) ?? [];
    assert.ok(hashes.length >= 2, 'the dump does hold the password hashes');
    assert.deepEqual([...new Set(hashes.map((h) => h.split('$')[1]))], ['argon2id']);
  });
}

function sqliteBytes(t: TestApp): Buffer {
  const path = t.services.database.sqlitePath!;
  const parts = [path, `${path}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p));
  assert.ok(parts.length >= 1);
  return Buffer.concat(parts);
}

function pgDump(url: string): Buffer {
  return execFileSync('pg_dump', ['--no-owner', url], { maxBuffer: 64 * 1024 * 1024 });
}
