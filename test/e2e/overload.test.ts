import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * More password work than the hash queue takes: one hash at a time and two waiting, with hashes slow
 * enough (argon2id 32 MiB, 4 passes) that a burst piles up. What does not fit is refused at once
 * with 503 overloaded (before the accepted ones finish), session checks keep being answered, and
 * nothing a refused request started is left behind.
 */
let t: TestApp;
let sessionToken: string;
const member = { displayName: 'Busy Bea', email: 'bea.busy@example.com', birthDate: '1991-03-04', password: 'bea waits in line politely' };
let ip = 0;
const from = () => `198.51.${Math.floor(++ip / 250)}.${ip % 250}`;

before(async () => {
  t = await buildTestApp({
    env: { PLAYERPASS_HASH_CONCURRENCY: '1', PLAYERPASS_HASH_QUEUE_MAX: '2', PLAYERPASS_ARGON2_MEMORY_KIB: '32768', PLAYERPASS_ARGON2_ITERATIONS: '4' },
  });
  assert.equal((await t.api('POST', '/api/v1/members', { body: member })).statusCode, 202);
  await t.deliverMail();
  const mail = await t.smtp.waitForMail((m) => /confirm your email/i.test(m.subject));
  assert.equal((await t.api('POST', '/api/v1/email-verifications', { body: { token: t.smtp.tokenIn(mail, '/verify') } })).statusCode, 200);
  const session = await t.api('POST', '/api/v1/sessions', { body: { email: member.email, password: member.password } });
  assert.equal(session.statusCode, 201);
  sessionToken = session.json().token;
});
after(() => t.close());

interface Finished {
  kind: 'sign-in' | 'session-check';
  status: number;
  code: string | undefined;
  retryAfter: string | undefined;
  order: number;
}

test('a burst of sign-ins: what the queue cannot take is 503 overloaded at once; session checks keep working; nothing is lost', async () => {
  const memberId = (await t.services.flows.store.members.findByEmail(member.email))!.id;
  const sessionsBefore = (await t.services.flows.store.sessions.listActive(memberId, t.clock.now())).length;
  let finished = 0;
  const track = async (kind: Finished['kind'], request: Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }>): Promise<Finished> => {
    const response = await request;
    const code = response.statusCode >= 400 ? (JSON.parse(response.body) as { error: { code: string } }).error.code : undefined;
    return { kind, status: response.statusCode, code, retryAfter: response.headers['retry-after'] as string | undefined, order: finished++ };
  };
  const signIns = Array.from({ length: 12 }, () =>
    track('sign-in', t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { email: member.email, password: member.password }, remoteAddress: from() })),
  );
  const checks = Array.from({ length: 5 }, () => track('session-check', t.api('GET', '/api/v1/me', { token: sessionToken })));
  const results = await Promise.all([...signIns, ...checks]);

  const accepted = results.filter((r) => r.kind === 'sign-in' && r.status === 201);
  const refused = results.filter((r) => r.kind === 'sign-in' && r.status !== 201);
  assert.ok(accepted.length >= 3, `one running and two waiting are served (${accepted.length})`);
  assert.ok(refused.length >= 1, 'the rest is refused');
  for (const r of refused) {
    assert.equal(r.status, 503);
    assert.equal(r.code, 'overloaded');
    assert.ok(Number(r.retryAfter) >= 1, 'with Retry-After');
  }
  const lastAccepted = Math.max(...accepted.map((r) => r.order));
  assert.ok(Math.max(...refused.map((r) => r.order)) < lastAccepted, 'refusals come back before the accepted hashes are done');
  const sessionChecks = results.filter((r) => r.kind === 'session-check');
  assert.deepEqual(sessionChecks.map((r) => r.status), [200, 200, 200, 200, 200]);
  assert.ok(Math.max(...sessionChecks.map((r) => r.order)) < lastAccepted, 'session checks are answered while hashes queue');

  const sessionsAfter = (await t.services.flows.store.sessions.listActive(memberId, t.clock.now())).length;
  assert.equal(sessionsAfter, sessionsBefore + accepted.length, 'a session for every 201 and none for a 503');
  const row = await t.services.database.db.selectFrom('members').select('failed_sign_ins').where('id', '=', memberId).executeTakeFirstOrThrow();
  assert.equal(row.failed_sign_ins, 0, 'an overloaded answer is not a failed sign-in');
  const again = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { email: member.email, password: member.password }, remoteAddress: from() });
  assert.equal(again.statusCode, 201, 'once the burst is over, sign-in works');
});

test('a burst of joins: a refused join leaves nothing behind and can simply be sent again', async () => {
  const joiner = (i: number) => ({ displayName: `Queued Quinn ${i}`, email: `quinn.${i}@example.com`, birthDate: '1996-07-08', password: `quinn number ${i} waits her turn` });
  const answers = await Promise.all(
    Array.from({ length: 10 }, (_, i) => t.app.inject({ method: 'POST', url: '/api/v1/members', payload: joiner(i), remoteAddress: from() })),
  );
  const refused = answers.flatMap((answer, i) => (answer.statusCode === 503 ? [i] : []));
  assert.ok(refused.length >= 1, 'some joins were refused');
  assert.ok(answers.every((answer) => answer.statusCode === 202 || (answer.statusCode === 503 && answer.json().error.code === 'overloaded')));
  for (const i of refused) assert.equal(await t.services.flows.store.members.findByEmail(joiner(i).email), undefined, 'no half-made member');
  for (const i of refused) assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/members', payload: joiner(i), remoteAddress: from() })).statusCode, 202);
  for (let i = 0; i < 10; i++) assert.ok(await t.services.flows.store.members.findByEmail(joiner(i).email), `member ${i} joined`);
});
