import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MAX_CONSECUTIVE_FAILURES } from '../../src/flows/sign-in/service.ts';
import { buildTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * NIST SP 800-63B §5.2.2: after 100 consecutive failures the password alone no longer signs in; the
 * member needs the mailed reset link. A success in between starts the count again.
 */
let t: TestApp;
const member = { displayName: 'Persistent Pat', email: 'pat.persistent@example.com', birthDate: '1990-01-01', password: 'pat keeps a long passphrase' };
let ip = 0;
const signIn = (password: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { email: member.email, password }, remoteAddress: `198.18.${Math.floor(++ip / 250)}.${ip % 250}` });

async function setFailures(count: number): Promise<void> {
  await t.services.database.db.updateTable('members').set({ failed_sign_ins: count }).execute();
}
async function failures(): Promise<number> {
  return (await t.services.database.db.selectFrom('members').select('failed_sign_ins').executeTakeFirstOrThrow()).failed_sign_ins;
}

before(async () => {
  t = await buildTestApp();
  assert.equal((await t.api('POST', '/api/v1/members', { body: member })).statusCode, 202);
  await t.deliverMail();
  const mail = await t.smtp.waitForMail((m) => /confirm your email/i.test(m.subject));
  assert.equal((await t.api('POST', '/api/v1/email-verifications', { body: { token: t.smtp.tokenIn(mail, '/verify') } })).statusCode, 200);
});
after(async () => {
  await t.close();
});

test('failures are counted and a success clears them', async () => {
  assert.equal((await signIn('wrong one')).statusCode, 401);
  assert.equal((await signIn('wrong two')).statusCode, 401);
  assert.equal(await failures(), 2);
  assert.equal((await signIn(member.password)).statusCode, 201);
  assert.equal(await failures(), 0);
});

test('at the 100th consecutive failure even the right password needs the reset link', async () => {
  await setFailures(MAX_CONSECUTIVE_FAILURES - 1);
  assert.equal((await signIn('still wrong')).statusCode, 401);
  assert.equal(await failures(), MAX_CONSECUTIVE_FAILURES);

  const locked = await signIn(member.password);
  assert.equal(locked.statusCode, 403);
  assert.equal(locked.json().error.code, 'password_reset_required');
  await t.deliverMail();
  const resetMail = await t.smtp.waitForMail((m) => /reset your/i.test(m.subject));

  const newPassword = 'pat chose a brand new passphrase';
  const reset = await t.api('POST', '/api/v1/password-resets/complete', { body: { token: t.smtp.tokenIn(resetMail, '/reset'), newPassword } });
  assert.equal(reset.statusCode, 204);
  assert.equal(await failures(), 0, 'the reset starts the count again');
  assert.equal((await signIn(newPassword)).statusCode, 201);
});
