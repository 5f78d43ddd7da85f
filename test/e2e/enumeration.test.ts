import type { LightMyRequestResponse } from 'fastify';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { rateRules } from '../../src/limits/rate-limits.ts';
import type { CaughtMail } from '../helpers/smtp-catcher.ts';
import { buildTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Nothing a stranger can send tells them whether an email address has an account: join, reset and
 * sign-in answer alike (status, body, cookies and argon2 work), and only the owner hears about it.
 */

let t: TestApp;
let ipCounter = 0;
const nextIp = () => {
  ipCounter += 1;
  return `192.0.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
};

async function call(url: string, body: unknown, ip = nextIp()): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'POST', url, payload: body as object, remoteAddress: ip });
}

/** The request's answer and how many argon2 hashes it spent. */
async function measured(url: string, body: unknown, ip?: string): Promise<{ response: LightMyRequestResponse; hashes: number }> {
  const before = t.services.hashQueue.stats().completed;
  const response = await call(url, body, ip);
  return { response, hashes: t.services.hashQueue.stats().completed - before };
}

/** What a client can observe, apart from the date. */
function observable(response: LightMyRequestResponse) {
  const { date: _date, ...headers } = response.headers;
  return { status: response.statusCode, body: response.body, headers };
}

function mailsTo(address: string, subject?: RegExp): CaughtMail[] {
  return t.smtp.mails.filter((m) => m.to.some((to) => to.toLowerCase() === address.toLowerCase()) && (!subject || subject.test(m.subject)));
}

const VERIFY = /confirm your email/i;
const EXISTS = /already have/i;
const RESET = /reset your/i;

async function joinAndVerify(member: { displayName: string; email: string; birthDate: string; password: string }): Promise<void> {
  assert.equal((await call('/api/v1/members', member)).statusCode, 202);
  await t.deliverMail();
  const mail = mailsTo(member.email, VERIFY).at(-1);
  assert.ok(mail, `no verification mail to ${member.email}`);
  const verified = await call('/api/v1/email-verifications', { token: t.smtp.tokenIn(mail, '/verify') });
  assert.equal(verified.statusCode, 200, verified.body);
}

async function memberCount(): Promise<number> {
  const row = await t.services.database.db.selectFrom('members').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

const owner = { displayName: 'Amara Owner', email: 'amara.owner@example.com', birthDate: '1985-05-05', password: 'amara owns this passphrase' };
const verified = { displayName: 'Vera Verified', email: 'vera.verified@example.com', birthDate: '1979-09-09', password: 'vera has verified her mail' };

before(async () => {
  t = await buildTestApp({ store: 'sqlite' });
  await joinAndVerify(verified);
});

after(async () => {
  await t?.close();
});

test('join with a taken email answers exactly like a new email; only the owner hears of it', async () => {
  const fresh = await measured('/api/v1/members', owner);
  await t.deliverMail();
  assert.equal(mailsTo(owner.email, VERIFY).length, 1);
  const membersBefore = await memberCount();

  const intruder = { displayName: 'Someone Else', email: '  AMARA.Owner@Example.com ', birthDate: '2000-01-01', password: 'an intruder passphrase' };
  const taken = await measured('/api/v1/members', intruder);
  assert.deepEqual(observable(taken.response), observable(fresh.response));
  assert.equal(fresh.response.statusCode, 202);
  assert.deepEqual(fresh.response.json(), { status: 'verification_sent' });
  assert.equal(fresh.hashes, 1, 'a new email spends one hash');
  assert.equal(taken.hashes, 1, 'a taken email spends the same one hash');

  assert.equal(await t.deliverMail(), 1, 'exactly one mail goes out for the second join');
  assert.equal(mailsTo(owner.email, VERIFY).length, 1, 'no second verification mail');
  const notice = mailsTo(owner.email, EXISTS);
  assert.equal(notice.length, 1, 'the owner gets an account-exists mail');
  assert.match(t.smtp.linkIn(notice[0]!, '/sign-in'), /^http:\/\/playerpass\.test\/sign-in/);
  assert.match(t.smtp.linkIn(notice[0]!, '/forgot'), /^http:\/\/playerpass\.test\/forgot/);
  assert.throws(() => t.smtp.linkIn(notice[0]!, '/verify'), 'the notice carries no verification link');
  assert.equal(notice[0]!.text.includes('Someone Else'), false, "the intruder's details are not passed on");

  assert.equal(await memberCount(), membersBefore, 'no second member');
  const signIn = await call('/api/v1/sessions', { email: owner.email, password: intruder.password });
  assert.equal(signIn.json().error.code, 'credentials_invalid', "the intruder's password did not replace the owner's");

  // The intruder's display name was not reserved by the refused join.
  assert.equal((await call('/api/v1/members', { ...intruder, email: 'someone.else@example.com' })).statusCode, 202);
  assert.equal(await memberCount(), membersBefore + 1);
});

test('reset for an unknown email answers exactly like for a known one; only the known one gets a mail', async () => {
  await t.deliverMail();
  const known = await call('/api/v1/password-resets', { email: verified.email });
  const unknown = await call('/api/v1/password-resets', { email: 'nobody.at.all@example.com' });
  const malformed = await call('/api/v1/password-resets', { email: 'not an email' });
  assert.equal(known.statusCode, 202);
  assert.deepEqual(known.json(), { status: 'reset_requested' });
  assert.deepEqual(observable(unknown), observable(known));
  assert.deepEqual(observable(malformed), observable(known));

  assert.equal(await t.deliverMail(), 1, 'one mail in all');
  assert.equal(mailsTo(verified.email, RESET).length, 1);
  assert.equal(mailsTo('nobody.at.all@example.com').length, 0);
});

test('unknown email and wrong password: identical 401 credentials_invalid, one argon2 hash each', async () => {
  const attempts = {
    unknown: await measured('/api/v1/sessions', { email: 'no.such.member@example.com', password: verified.password }),
    wrongPassword: await measured('/api/v1/sessions', { email: verified.email, password: 'not the right passphrase' }),
    otherSpelling: await measured('/api/v1/sessions', { email: ` ${verified.email.toUpperCase()} `, password: 'not the right passphrase' }),
    emptyEmail: await measured('/api/v1/sessions', { email: '', password: verified.password }),
    malformedEmail: await measured('/api/v1/sessions', { email: 'not an email', password: verified.password }),
  };
  const reference = attempts.unknown.response;
  assert.equal(reference.statusCode, 401);
  assert.equal(reference.json().error.code, 'credentials_invalid');
  assert.equal(reference.headers['set-cookie'], undefined);
  for (const [name, { response, hashes }] of Object.entries(attempts)) {
    assert.deepEqual(observable(response), observable(reference), name);
    assert.equal(hashes, 1, `${name}: exactly one argon2 hash`);
  }

  const right = await measured('/api/v1/sessions', { email: verified.email, password: verified.password });
  assert.equal(right.response.statusCode, 201, 'the right password still works');
  assert.equal(right.hashes, 1);
});

test('unverified email: right password → 403 email_unverified and a fresh link; wrong password → 401', async () => {
  const pending = { displayName: 'Pending Person', email: 'pending.person@example.com', birthDate: '1993-03-03', password: 'pending person passphrase' };
  assert.equal((await call('/api/v1/members', pending)).statusCode, 202);
  await t.deliverMail();
  assert.equal(mailsTo(pending.email, VERIFY).length, 1);

  const wrong = await measured('/api/v1/sessions', { email: pending.email, password: 'not the right passphrase' });
  const unknown = await call('/api/v1/sessions', { email: 'nobody.pending@example.com', password: 'not the right passphrase' });
  assert.deepEqual(observable(wrong.response), observable(unknown), 'a wrong password reveals nothing about verification');
  assert.equal(wrong.hashes, 1);
  assert.equal(await t.deliverMail(), 0, 'a wrong password mails nothing');

  const right = await measured('/api/v1/sessions', { email: pending.email, password: pending.password });
  assert.equal(right.response.statusCode, 403);
  assert.equal(right.response.json().error.code, 'email_unverified');
  assert.equal(right.response.headers['set-cookie'], undefined, 'no session yet');
  assert.equal(right.hashes, 1);
  assert.equal(await t.deliverMail(), 1);
  const links = mailsTo(pending.email, VERIFY);
  assert.equal(links.length, 2, 'a fresh verification mail');
  const freshToken = t.smtp.tokenIn(links[1]!, '/verify');
  assert.notEqual(freshToken, t.smtp.tokenIn(links[0]!, '/verify'));
  assert.equal((await call('/api/v1/email-verifications', { token: freshToken })).statusCode, 200);
  assert.equal((await call('/api/v1/sessions', { email: pending.email, password: pending.password })).statusCode, 201);
});

/** The per-IP-and-account sign-in budget, whichever name the rules give it. */
function ipAccountRule(): { points: number; durationSeconds: number } {
  const rules = rateRules as Record<string, { points: number; durationSeconds: number }>;
  const rule = rules.sign_in_fail_ip_account ?? rules.sign_in_ip_account;
  assert.ok(rule, 'a per-IP-and-account sign-in rule exists');
  return rule;
}

test('past the per-IP-and-account budget, sign-in is 429 rate_limited with Retry-After, for known and unknown emails alike', async () => {
  const rule = ipAccountRule();
  assert.ok(rule.points <= 10 && rule.durationSeconds <= 900, `the rule is at most 10 attempts in 15 minutes: ${JSON.stringify(rule)}`);
  const target = { displayName: 'Rita Ratelimit', email: 'rita.ratelimit@example.com', birthDate: '1990-10-10', password: 'rita rate limit passphrase' };
  await joinAndVerify(target);

  const attackerIp = '198.51.100.7';
  const limitedAnswers: LightMyRequestResponse[] = [];
  for (const email of [target.email, 'rita.unknown@example.com']) {
    for (let i = 1; i <= rule.points; i++) {
      const { response } = await measured('/api/v1/sessions', { email, password: `wrong guess ${i}` }, attackerIp);
      assert.equal(response.statusCode, 401, `${email}: attempt ${i}`);
    }
    const limited = await measured('/api/v1/sessions', { email, password: 'wrong guess again' }, attackerIp);
    assert.equal(limited.response.statusCode, 429, `${email}: attempt ${rule.points + 1}`);
    assert.equal(limited.response.json().error.code, 'rate_limited');
    const retryAfter = Number(limited.response.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= rule.durationSeconds, `retry-after ${limited.response.headers['retry-after']}`);
    assert.equal(limited.hashes, 0, 'a refused attempt spends no argon2 work');
    limitedAnswers.push(limited.response);
  }
  assert.equal(limitedAnswers[0]!.body, limitedAnswers[1]!.body, 'the limit looks the same for a known and an unknown email');

  const rightButLimited = await call('/api/v1/sessions', { email: target.email, password: target.password }, attackerIp);
  assert.equal(rightButLimited.statusCode, 429, 'the right password from that IP waits too');

  // The budget is per IP and account: the member elsewhere, and other accounts from that IP, are unaffected.
  assert.equal((await call('/api/v1/sessions', { email: target.email, password: target.password }, '203.0.113.50')).statusCode, 201);
  assert.equal((await call('/api/v1/sessions', { email: verified.email, password: verified.password }, attackerIp)).statusCode, 201);
});
