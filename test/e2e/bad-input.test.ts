import type { LightMyRequestResponse } from 'fastify';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { randomToken } from '../../src/crypto/random.ts';
import { errorCatalogue } from '../../src/domain/errors.ts';
import { buildTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Hostile and clumsy input, end to end on SQLite: every case gets a 4xx with a stable code (and the
 * field at fault), never a 5xx, never a stack trace or a database name, and never a member half made.
 */

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
interface CallOptions {
  /** An object is sent as JSON; a string is sent as is, with `contentType`. */
  body?: unknown;
  contentType?: string;
  token?: string;
  headers?: Record<string, string>;
  cookie?: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let t: TestApp;
const seen: { label: string; response: LightMyRequestResponse }[] = [];
/** Every join that should have made a member, by email. */
const validJoins: string[] = [];
let ipCounter = 0;

/**
 * One request from a fresh IP (each IP has its own join budget of 30 an hour; this file sends more
 * joins than that on purpose). Every answer is kept for the checks at the end.
 */
async function call(method: Method, url: string, options: CallOptions = {}): Promise<LightMyRequestResponse> {
  ipCounter += 1;
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  let payload: string | undefined;
  if (typeof options.body === 'string') {
    payload = options.body;
    headers['content-type'] = options.contentType ?? 'application/json';
  } else if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  const response = await t.app.inject({
    method,
    url,
    headers,
    remoteAddress: `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`,
    ...(payload !== undefined ? { payload } : {}),
  });
  seen.push({ label: `${method} ${url} ${payload?.slice(0, 80) ?? ''}`, response });
  return response;
}

function expectError(response: LightMyRequestResponse, status: number, code: string, fields?: Record<string, string>, label = ''): void {
  const where = `${label} → ${response.statusCode} ${response.body.slice(0, 300)}`;
  assert.equal(response.statusCode, status, where);
  assert.match(String(response.headers['content-type']), /^application\/json/, where);
  const body = response.json() as { error: { code: string; message: string; fields?: Record<string, string> } };
  assert.equal(body.error.code, code, where);
  assert.equal(typeof body.error.message, 'string', where);
  if (fields) assert.deepEqual(body.error.fields, fields, where);
}

let joinCounter = 0;
/** A join body that is valid in every field, with a display name and email never used before. */
function validJoin(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  joinCounter += 1;
  return {
    displayName: `Player ${joinCounter}`,
    email: `player.${joinCounter}@example.com`,
    birthDate: '1990-04-01',
    password: 'a perfectly fine passphrase',
    ...overrides,
  };
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Delivers queued mail, then the newest mail to `address` whose subject matches. */
async function newestMail(address: string, subject: RegExp) {
  await t.deliverMail();
  const mails = t.smtp.mails.filter((m) => m.to.some((to) => to.toLowerCase() === address.toLowerCase()) && subject.test(m.subject));
  const mail = mails.at(-1);
  assert.ok(mail, `no mail "${subject}" to ${address}; caught: ${JSON.stringify(t.smtp.mails.map((m) => [m.to, m.subject]))}`);
  return mail;
}

async function join(body: Record<string, unknown>): Promise<void> {
  const joined = await call('POST', '/api/v1/members', { body });
  assert.equal(joined.statusCode, 202, joined.body);
  validJoins.push(String(body.email));
}

async function verify(email: string): Promise<void> {
  const mail = await newestMail(email, /confirm your email/i);
  const verified = await call('POST', '/api/v1/email-verifications', { body: { token: t.smtp.tokenIn(mail, '/verify') } });
  assert.equal(verified.statusCode, 200, verified.body);
}

async function signIn(email: string, password: string): Promise<{ token: string; expiresAt: string }> {
  const signedIn = await call('POST', '/api/v1/sessions', { body: { email, password } });
  assert.equal(signedIn.statusCode, 201, signedIn.body);
  return signedIn.json() as { token: string; expiresAt: string };
}

const member = { displayName: 'Sign In Tester', email: 'sign.in.tester@example.com', birthDate: '1988-08-08', password: 'the tester passphrase' };
const zoe = { displayName: 'ZOË', email: 'zoe.caps@example.com', birthDate: '1991-07-23', password: 'zoe has a passphrase' };

before(async () => {
  t = await buildTestApp({ store: 'sqlite' });
  await join(member);
  await verify(member.email);
  await join(zoe);
});

after(async () => {
  await t?.close();
});

// --- bodies -------------------------------------------------------------------------------------

test('malformed JSON is malformed_body, on every JSON endpoint', async () => {
  const cases: [Method, string][] = [
    ['POST', '/api/v1/members'],
    ['POST', '/api/v1/sessions'],
    ['POST', '/api/v1/email-verifications'],
    ['POST', '/api/v1/password-resets'],
    ['POST', '/api/v1/password-resets/complete'],
    ['PATCH', '/api/v1/me'],
  ];
  for (const [method, url] of cases) {
    for (const body of ['{"displayName":', '{bad json}', "{'single': 'quotes'}", '{"a":1}}']) {
      expectError(await call(method, url, { body }), 400, 'malformed_body', undefined, `${method} ${url} ${body}`);
    }
  }
  expectError(await call('POST', '/api/v1/members', { body: '' }), 400, 'malformed_body', undefined, 'empty JSON body');
  expectError(await call('POST', '/api/v1/members', { body: '{"__proto__": {"isAdmin": true}}' }), 400, 'malformed_body', undefined, '__proto__');
  expectError(
    await call('POST', '/api/v1/members', { body: '{"constructor": {"prototype": {"isAdmin": true}}}' }),
    400,
    'malformed_body',
    undefined,
    'constructor.prototype',
  );
});

test('a JSON array, string, number, boolean or null is not an object', async () => {
  for (const body of ['[]', '[{"displayName":"Someone"}]', '"hello"', '42', 'true', 'null']) {
    expectError(await call('POST', '/api/v1/members', { body }), 400, 'validation_failed', { body: 'invalid_type' }, body);
    expectError(await call('POST', '/api/v1/sessions', { body }), 400, 'validation_failed', { body: 'invalid_type' }, body);
  }
  expectError(await call('POST', '/api/v1/members'), 400, 'validation_failed', { body: 'invalid_type' }, 'no body at all');
});

test('wrong types name the field: invalid_type', async () => {
  const cases: [string, unknown][] = [
    ['displayName', 42],
    ['displayName', null],
    ['displayName', { first: 'Zoë' }],
    ['displayName', ['Zoë Quasar']],
    ['email', true],
    ['birthDate', 19900401],
    ['password', ['a perfectly fine passphrase']],
  ];
  for (const [field, value] of cases) {
    expectError(await call('POST', '/api/v1/members', { body: validJoin({ [field]: value }) }), 400, 'validation_failed', { [field]: 'invalid_type' }, `${field}=${JSON.stringify(value)}`);
  }
  expectError(await call('POST', '/api/v1/sessions', { body: { email: 12, password: 'x' } }), 400, 'validation_failed', { email: 'invalid_type' });
  expectError(await call('POST', '/api/v1/email-verifications', { body: { token: 5 } }), 400, 'validation_failed', { token: 'invalid_type' });
  expectError(await call('POST', '/api/v1/password-resets', { body: { email: ['a@b.cc'] } }), 400, 'validation_failed', { email: 'invalid_type' });
});

test('missing fields are required; unknown extra fields are refused', async () => {
  expectError(await call('POST', '/api/v1/members', { body: {} }), 400, 'validation_failed', {
    displayName: 'required',
    email: 'required',
    birthDate: 'required',
    password: 'required',
  });
  const { password: _omitted, ...noPassword } = validJoin();
  expectError(await call('POST', '/api/v1/members', { body: noPassword }), 400, 'validation_failed', { password: 'required' });
  expectError(await call('POST', '/api/v1/members', { body: validJoin({ isAdmin: true }) }), 400, 'validation_failed', { isAdmin: 'unknown_field' });
  expectError(await call('POST', '/api/v1/members', { body: validJoin({ emailVerified: true }) }), 400, 'validation_failed', { emailVerified: 'unknown_field' });
  expectError(await call('POST', '/api/v1/sessions', { body: { email: member.email } }), 400, 'validation_failed', { password: 'required' });
  expectError(await call('POST', '/api/v1/sessions', { body: { ...member } }), 400, 'validation_failed', { displayName: 'unknown_field', birthDate: 'unknown_field' });
  expectError(await call('POST', '/api/v1/email-verifications', { body: {} }), 400, 'validation_failed', { token: 'required' });
  expectError(await call('POST', '/api/v1/email-verifications', { body: { token: '' } }), 400, 'validation_failed', { token: 'too_short' });
  expectError(await call('POST', '/api/v1/password-resets', { body: { email: member.email, redirect: 'https://evil.example' } }), 400, 'validation_failed', {
    redirect: 'unknown_field',
  });
  expectError(await call('POST', '/api/v1/password-resets/complete', { body: { token: 'x' } }), 400, 'validation_failed', { newPassword: 'required' });
});

test('a body over 16 KiB is 413 payload_too_large', async () => {
  const huge = JSON.stringify(validJoin({ displayName: 'x'.repeat(17 * 1024) }));
  expectError(await call('POST', '/api/v1/members', { body: huge }), 413, 'payload_too_large');
  expectError(await call('POST', '/api/v1/sessions', { body: JSON.stringify({ email: member.email, password: 'p'.repeat(17 * 1024) }) }), 413, 'payload_too_large');
  const justUnder = JSON.stringify({ ...validJoin(), pad: 'x'.repeat(15 * 1024) });
  expectError(await call('POST', '/api/v1/members', { body: justUnder }), 400, 'validation_failed', { pad: 'unknown_field' }, 'under the limit the body is read');
});

test('an XML or multipart body is 415 unsupported_media_type', async () => {
  expectError(await call('POST', '/api/v1/members', { body: '<member/>', contentType: 'application/xml' }), 415, 'unsupported_media_type');
  expectError(await call('POST', '/api/v1/members', { body: '--x--', contentType: 'multipart/form-data; boundary=x' }), 415, 'unsupported_media_type');
});

// Fails until the API stops accepting text/plain (Fastify's built-in parser): see the report.
test('a text/plain body is 415 unsupported_media_type', async () => {
  expectError(await call('POST', '/api/v1/members', { body: JSON.stringify(validJoin()), contentType: 'text/plain' }), 415, 'unsupported_media_type');
  expectError(await call('POST', '/api/v1/sessions', { body: 'hello', contentType: 'text/plain; charset=utf-8' }), 415, 'unsupported_media_type');
});

// Fails until the form parser is limited to pages: see the report. The body is invalid on purpose,
// so no member is created either way.
test('a form body on the JSON API is 415 unsupported_media_type', async () => {
  const form = 'displayName=Form+Poster&email=form.poster%40example.com&birthDate=1990-01-01&password=short';
  expectError(await call('POST', '/api/v1/members', { body: form, contentType: 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type');
  const signInForm = `email=${encodeURIComponent(member.email)}&password=wrong+password+here`;
  expectError(await call('POST', '/api/v1/sessions', { body: signInForm, contentType: 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type');
});

// --- field rules --------------------------------------------------------------------------------

test('impossible, early and future birth dates', async () => {
  const future = isoDay(t.clock.now() + 3 * 24 * HOUR);
  const cases: Record<string, string> = {
    '2023-02-30': 'invalid_date',
    '2023-02-29': 'invalid_date',
    '1900-02-29': 'invalid_date',
    '2023-13-01': 'invalid_date',
    '23-01-2000': 'invalid_date',
    '2000/01/23': 'invalid_date',
    'yesterday': 'invalid_date',
    '1899-12-31': 'before_1900',
    '1000-06-15': 'before_1900',
    [future]: 'in_future',
    '2999-01-01': 'in_future',
  };
  for (const [birthDate, code] of Object.entries(cases)) {
    expectError(await call('POST', '/api/v1/members', { body: validJoin({ birthDate }) }), 400, 'validation_failed', { birthDate: code }, birthDate);
  }
  expectError(await call('POST', '/api/v1/members', { body: validJoin({ birthDate: '1'.repeat(33) }) }), 400, 'validation_failed', { birthDate: 'too_long' });
});

test('display names: too long, too short, blank, control and invisible characters', async () => {
  const cases: [string, string][] = [
    ['x'.repeat(200), 'too_long'],
    ['x'.repeat(201), 'too_long'],
    ['x'.repeat(25), 'too_long'],
    ['ab', 'too_short'],
    ['  ab  ', 'too_short'],
    ['', 'required'],
    ['    ', 'required'],
    ['Zoe\u0000Quasar', 'forbidden_characters'],
    ['Zoe\u0007Quasar', 'forbidden_characters'],
    ['Zoe\u202eQuasar', 'forbidden_characters'],
    ['Zoe\u200bQuasar', 'forbidden_characters'],
    ['Zoe\u2028Quasar', 'forbidden_characters'],
    ['Zoe\nQuasar', 'forbidden_characters'],
    ['\u202eadmin', 'forbidden_characters'],
  ];
  for (const [displayName, code] of cases) {
    expectError(await call('POST', '/api/v1/members', { body: validJoin({ displayName }) }), 400, 'validation_failed', { displayName: code }, JSON.stringify(displayName));
  }
});

test('invalid email addresses', async () => {
  const cases: [string, string][] = [
    ['not-an-email', 'invalid_email'],
    ['zoe@', 'invalid_email'],
    ['@example.com', 'invalid_email'],
    ['zoe@example', 'invalid_email'],
    ['zoe@@example.com', 'invalid_email'],
    ['zo e@example.com', 'invalid_email'],
    ['zoe..quasar@example.com', 'invalid_email'],
    ['zoe@exam_ple.com', 'invalid_email'],
    ['<zoe@example.com>', 'invalid_email'],
    ['zoe@example.com, eve@example.com', 'invalid_email'],
    ['', 'required'],
    ['   ', 'required'],
    [`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`, 'too_long'],
    [`${'a'.repeat(321)}@example.com`, 'too_long'],
  ];
  for (const [email, code] of cases) {
    expectError(await call('POST', '/api/v1/members', { body: validJoin({ email }) }), 400, 'validation_failed', { email: code }, JSON.stringify(email));
  }
});

test('passwords: too short, too long, or the display name', async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ password: 'x'.repeat(7) }, 'too_short'],
    [{ password: '' }, 'required'],
    [{ password: 'y'.repeat(257) }, 'too_long'],
    [{ password: 'z'.repeat(1025) }, 'too_long'],
    [{ displayName: 'Quasar Nova', password: 'Quasar Nova' }, 'contains_personal_info'],
    [{ displayName: 'Quasar Nova', password: 'quasarnova!!' }, 'contains_personal_info'],
    [{ email: 'kwame.mensah@example.org', password: 'kwame.mensah' }, 'contains_personal_info'],
  ];
  for (const [overrides, code] of cases) {
    expectError(await call('POST', '/api/v1/members', { body: validJoin(overrides) }), 400, 'validation_failed', { password: code }, JSON.stringify(overrides).slice(0, 80));
  }
});

test('every field at fault is named at once', async () => {
  expectError(
    await call('POST', '/api/v1/members', { body: { displayName: 'ab', email: 'nope', birthDate: '1899-12-31', password: 'short' } }),
    400,
    'validation_failed',
    { displayName: 'too_short', email: 'invalid_email', birthDate: 'before_1900', password: 'too_short' },
  );
});

test('display names are unique ignoring case, composition and spacing', async () => {
  for (const displayName of ['zoë', 'Zoë', 'Zoe\u0308', 'ZOE\u0308', '  zoë ']) {
    expectError(
      await call('POST', '/api/v1/members', { body: validJoin({ displayName }) }),
      409,
      'display_name_taken',
      { displayName: 'display_name_taken' },
      JSON.stringify(displayName),
    );
  }
  await t.deliverMail();
  assert.equal(t.smtp.mails.filter((m) => m.to.includes(zoe.email)).length, 1, 'the owner of the name hears nothing of it');
});

test('PATCH /api/v1/me with bad values changes nothing', async () => {
  const { token } = await signIn(member.email, member.password);
  const before = (await call('GET', '/api/v1/me', { token })).json() as Record<string, unknown>;
  const future = isoDay(t.clock.now() + 3 * 24 * HOUR);
  const cases: [unknown, number, string, Record<string, string> | undefined][] = [
    [{ displayName: 'ab' }, 400, 'validation_failed', { displayName: 'too_short' }],
    [{ displayName: 'x'.repeat(25) }, 400, 'validation_failed', { displayName: 'too_long' }],
    [{ displayName: 'x'.repeat(201) }, 400, 'validation_failed', { displayName: 'too_long' }],
    [{ displayName: '' }, 400, 'validation_failed', { displayName: 'required' }],
    [{ displayName: 'Tester\u202e' }, 400, 'validation_failed', { displayName: 'forbidden_characters' }],
    [{ displayName: 'Test\u200ber' }, 400, 'validation_failed', { displayName: 'forbidden_characters' }],
    [{ displayName: 7 }, 400, 'validation_failed', { displayName: 'invalid_type' }],
    [{ displayName: null }, 400, 'validation_failed', { displayName: 'invalid_type' }],
    [{ birthDate: '2023-02-30' }, 400, 'validation_failed', { birthDate: 'invalid_date' }],
    [{ birthDate: '1899-12-31' }, 400, 'validation_failed', { birthDate: 'before_1900' }],
    [{ birthDate: future }, 400, 'validation_failed', { birthDate: 'in_future' }],
    [{ displayName: 'Fine Name', birthDate: '23-01-2000' }, 400, 'validation_failed', { birthDate: 'invalid_date' }],
    [{ email: 'new@example.com' }, 400, 'validation_failed', { email: 'unknown_field' }],
    [{ emailVerified: false }, 400, 'validation_failed', { emailVerified: 'unknown_field' }],
    [[], 400, 'validation_failed', { body: 'invalid_type' }],
    [{ displayName: 'zoë' }, 409, 'display_name_taken', { displayName: 'display_name_taken' }],
    [{ displayName: 'Zoe\u0308', birthDate: '1970-01-01' }, 409, 'display_name_taken', { displayName: 'display_name_taken' }],
  ];
  for (const [body, status, code, fields] of cases) {
    expectError(await call('PATCH', '/api/v1/me', { token, body: body as object }), status, code, fields, JSON.stringify(body).slice(0, 80));
  }
  const afterwards = (await call('GET', '/api/v1/me', { token })).json() as Record<string, unknown>;
  assert.deepEqual(afterwards, before);
  assert.equal(afterwards.displayName, member.displayName);
  assert.equal(afterwards.birthDate, member.birthDate);
});

// --- authentication -----------------------------------------------------------------------------

test('no token, a garbage token, a cookie instead of a token, or a revoked token: 401 unauthenticated', async () => {
  const { token } = await signIn(member.email, member.password);
  const bodies = new Set<string>();
  const unauthenticated = async (response: LightMyRequestResponse, label: string) => {
    expectError(response, 401, 'unauthenticated', undefined, label);
    bodies.add(response.body);
  };
  await unauthenticated(await call('GET', '/api/v1/me'), 'no token');
  await unauthenticated(await call('GET', '/api/v1/me', { headers: { authorization: 'Bearer garbage' } }), 'garbage');
  await unauthenticated(await call('GET', '/api/v1/me', { headers: { authorization: 'Bearer' } }), 'empty bearer');
  await unauthenticated(await call('GET', '/api/v1/me', { headers: { authorization: `Bearer ${randomToken()}` } }), 'well-formed unknown token');
  await unauthenticated(await call('GET', '/api/v1/me', { headers: { authorization: `Bearer ${token}x` } }), 'token with an extra character');
  await unauthenticated(await call('GET', '/api/v1/me', { headers: { authorization: `Bearer ${'A'.repeat(5000)}` } }), 'huge token');
  await unauthenticated(await call('GET', '/api/v1/me', { headers: { authorization: `Basic ${Buffer.from(`${member.email}:${member.password}`).toString('base64')}` } }), 'basic auth');
  await unauthenticated(await call('GET', '/api/v1/me', { headers: { authorization: `Bearer ${token}; DROP TABLE members` } }), 'injection');
  await unauthenticated(await call('GET', '/api/v1/me', { cookie: `pp_session=${token}` }), 'the API ignores the session cookie');
  await unauthenticated(await call('PATCH', '/api/v1/me', { body: { displayName: 'Sneaky Rename' } }), 'patch without a token');

  assert.equal((await call('GET', '/api/v1/me', { token })).statusCode, 200, 'the token itself works');
  assert.equal((await call('DELETE', '/api/v1/sessions/current', { token })).statusCode, 204);
  await unauthenticated(await call('GET', '/api/v1/me', { token }), 'revoked: GET /me');
  await unauthenticated(await call('PATCH', '/api/v1/me', { token, body: { displayName: 'Sneaky Rename' } }), 'revoked: PATCH /me');
  await unauthenticated(await call('GET', '/api/v1/me/sessions', { token }), 'revoked: sessions');
  await unauthenticated(await call('DELETE', '/api/v1/me/sessions', { token }), 'revoked: revoke others');
  await unauthenticated(await call('DELETE', '/api/v1/sessions/current', { token }), 'revoked: sign out twice');
  await unauthenticated(await call('POST', '/api/v1/me/password', { token, body: { currentPassword: member.password, newPassword: 'a sneaky new passphrase' } }), 'revoked: password');
  await unauthenticated(await call('POST', '/api/v1/me/email', { token, body: { newEmail: 'thief@example.com', currentPassword: member.password } }), 'revoked: email');
  assert.equal(bodies.size, 1, 'every 401 reads the same');
  assert.equal((await signIn(member.email, member.password)).token.length, 43, 'the member is unharmed');
});

test('garbage or wrong-purpose tokens on link endpoints: 400 token_invalid', async () => {
  for (const token of ['garbage', randomToken(), 'x'.repeat(200), "' OR 1=1 --"]) {
    expectError(await call('POST', '/api/v1/email-verifications', { body: { token } }), 400, 'token_invalid', undefined, `verify ${token}`);
    expectError(await call('POST', '/api/v1/email-changes', { body: { token } }), 400, 'token_invalid', undefined, `email change ${token}`);
    expectError(
      await call('POST', '/api/v1/password-resets/complete', { body: { token, newPassword: 'a brand new passphrase' } }),
      400,
      'token_invalid',
      undefined,
      `reset ${token}`,
    );
  }
  expectError(await call('POST', '/api/v1/email-verifications', { body: { token: 'x'.repeat(201) } }), 400, 'validation_failed', { token: 'too_long' });

  // A reset link is not a verification link, nor the other way round.
  assert.equal((await call('POST', '/api/v1/password-resets', { body: { email: member.email } })).statusCode, 202);
  const resetToken = t.smtp.tokenIn(await newestMail(member.email, /reset your/i), '/reset');
  expectError(await call('POST', '/api/v1/email-verifications', { body: { token: resetToken } }), 400, 'token_invalid', undefined, 'reset token used to verify');
  expectError(await call('POST', '/api/v1/email-changes', { body: { token: resetToken } }), 400, 'token_invalid', undefined, 'reset token used to change email');
});

// --- pages --------------------------------------------------------------------------------------

function csrfFrom(page: LightMyRequestResponse): { cookie: string; token: string } {
  const setCookie = ([] as string[]).concat(page.headers['set-cookie'] ?? []);
  const cookie = setCookie.map((c) => c.split(';')[0]!).find((c) => c.startsWith('pp_csrf='));
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(cookie && token, 'the page sets a CSRF cookie and carries the token');
  return { cookie, token };
}

test('page forms without a valid _csrf: 403 csrf_invalid, and nothing happens', async () => {
  await t.deliverMail();
  const membersBefore = await countRows('members');
  const sessionsBefore = await countRows('sessions');
  const victim = { displayName: 'Csrf Victim', email: 'csrf.victim@example.com', birthDate: '1990-01-01', password: 'csrf victim passphrase' };
  const forms: Record<string, Record<string, string>> = {
    '/join': victim,
    '/sign-in': { email: member.email, password: member.password },
    '/forgot': { email: member.email },
  };
  for (const [path, values] of Object.entries(forms)) {
    const mine = csrfFrom(await call('GET', path));
    const theirs = csrfFrom(await call('GET', path));
    assert.notEqual(mine.token, theirs.token);
    const attempts: [string, CallOptions][] = [
      ['no cookie, no _csrf', {}],
      ['cookie, no _csrf', { cookie: mine.cookie }],
      ['cookie, empty _csrf', { cookie: mine.cookie }],
      ['cookie, wrong _csrf', { cookie: mine.cookie }],
      ['cookie, _csrf of another visitor', { cookie: mine.cookie }],
      ['_csrf, no cookie', {}],
      ['_csrf, cookie of another visitor', { cookie: theirs.cookie }],
    ];
    const extra = ['', '', '&_csrf=', '&_csrf=wrong', `&_csrf=${theirs.token}`, `&_csrf=${mine.token}`, `&_csrf=${mine.token}`];
    for (const [i, [label, options]] of attempts.entries()) {
      const response = await call('POST', path, { ...options, body: new URLSearchParams(values).toString() + extra[i], contentType: 'application/x-www-form-urlencoded' });
      const where = `${path}: ${label} → ${response.statusCode}`;
      assert.equal(response.statusCode, 403, where);
      assert.match(String(response.headers['content-type']), /^text\/html/, where);
      assert.match(response.body, /csrf_invalid/, where);
      assert.doesNotMatch(String(response.headers['set-cookie'] ?? ''), /pp_session=[^;]/, `${where}: no session cookie`);
    }
    // The same form with the right pair works, so the refusals above are about the token alone.
    if (path === '/forgot') {
      const ok = await call('POST', path, {
        cookie: mine.cookie,
        body: `${new URLSearchParams({ email: 'nobody.here@example.com' }).toString()}&_csrf=${mine.token}`,
        contentType: 'application/x-www-form-urlencoded',
      });
      assert.equal(ok.statusCode, 200, ok.body.slice(0, 300));
    }
  }
  assert.equal(await countRows('members'), membersBefore, 'no member created');
  assert.equal(await countRows('sessions'), sessionsBefore, 'no session created');
  assert.equal(await t.deliverMail(), 0, 'no mail queued');
});

// --- headers and error shapes -------------------------------------------------------------------

test('security headers on pages, API answers and API errors', async () => {
  const { token } = await signIn(member.email, member.password);
  const responses: Record<string, LightMyRequestResponse> = {
    'page': await call('GET', '/join'),
    'error page': await call('GET', '/no-such-page'),
    'api': await call('GET', '/api/v1/me', { token }),
    'api error': await call('POST', '/api/v1/members', { body: {} }),
    'api 404': await call('GET', '/api/v1/nothing-here'),
    'api 413': await call('POST', '/api/v1/members', { body: JSON.stringify({ pad: 'x'.repeat(17 * 1024) }) }),
  };
  for (const [label, response] of Object.entries(responses)) {
    const csp = String(response.headers['content-security-policy'] ?? '');
    assert.match(csp, /(^|;\s*)default-src 'none'(;|$)/, `${label}: ${csp}`);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, `${label}: ${csp}`);
    assert.match(csp, /frame-ancestors 'none'/, label);
    assert.equal(String(response.headers['x-frame-options']).toUpperCase(), 'DENY', label);
    assert.equal(response.headers['referrer-policy'], 'no-referrer', label);
    assert.equal(response.headers['cache-control'], 'no-store', label);
    assert.equal(response.headers['x-content-type-options'], 'nosniff', label);
    assert.equal(response.headers['x-powered-by'], undefined, label);
  }
  assert.equal(responses.page!.statusCode, 200);
  assert.equal(responses.api!.statusCode, 200);
});

test('an unknown API route or method is 404 not_found in the error shape', async () => {
  for (const [method, url] of [
    ['GET', '/api/v1/nothing-here'],
    ['GET', '/api/v1/members'],
    ['DELETE', '/api/v1/me/email'],
    ['POST', '/api/v2/members'],
    ['GET', '/api/v1/me/sessions/x/y'],
  ] as [Method, string][]) {
    const response = await call(method, url);
    assert.equal(response.statusCode, 404, `${method} ${url}`);
    assert.deepEqual(response.json(), { error: { code: 'not_found', message: errorCatalogue.not_found.message } }, `${method} ${url}`);
  }
});

// Fails until app.ts routes Fastify's framework errors through our handler: see the report.
test('an undecodable or over-long URL parameter is a 400 in the error shape, with the security headers', async () => {
  for (const url of ['/api/v1/me/sessions/%E0%A4%A', `/api/v1/me/sessions/${'x'.repeat(300)}`]) {
    // Straight to inject: these answers are judged here, not again in the summary at the end.
    const response = await t.app.inject({ method: 'DELETE', url });
    expectError(response, 400, 'bad_request', undefined, url);
    assert.match(String(response.headers['content-security-policy']), /default-src 'none'/, url);
    assert.equal(response.headers['cache-control'], 'no-store', url);
  }
});

// --- time ---------------------------------------------------------------------------------------

test('an expired verification link (after 25 h) is token_expired; signing in mails a fresh one', async () => {
  const late = { displayName: 'Late Verifier', email: 'late.verifier@example.com', birthDate: '2001-01-01', password: 'late verifier passphrase' };
  await join(late);
  const first = await newestMail(late.email, /confirm your email/i);
  const oldToken = t.smtp.tokenIn(first, '/verify');
  t.clock.advance(25 * HOUR);
  expectError(await call('POST', '/api/v1/email-verifications', { body: { token: oldToken } }), 400, 'token_expired');
  expectError(await call('POST', '/api/v1/sessions', { body: { email: late.email, password: late.password } }), 403, 'email_unverified');
  const fresh = await newestMail(late.email, /confirm your email/i);
  assert.notEqual(fresh, first);
  const verified = await call('POST', '/api/v1/email-verifications', { body: { token: t.smtp.tokenIn(fresh, '/verify') } });
  assert.equal(verified.statusCode, 200, verified.body);
  expectError(await call('POST', '/api/v1/email-verifications', { body: { token: oldToken } }), 400, 'token_expired', undefined, 'still expired');
});

test('a reset link 31 minutes old is token_expired and the password is unchanged', async () => {
  assert.equal((await call('POST', '/api/v1/password-resets', { body: { email: member.email } })).statusCode, 202);
  const token = t.smtp.tokenIn(await newestMail(member.email, /reset your/i), '/reset');
  t.clock.advance(31 * MINUTE);
  expectError(await call('POST', '/api/v1/password-resets/complete', { body: { token, newPassword: 'an attacker passphrase' } }), 400, 'token_expired');
  expectError(await call('POST', '/api/v1/sessions', { body: { email: member.email, password: 'an attacker passphrase' } }), 401, 'credentials_invalid');
  await signIn(member.email, member.password);
});

test('a session unused for 60 minutes ends; use keeps it alive', async () => {
  const { token } = await signIn(member.email, member.password);
  t.clock.advance(59 * MINUTE);
  assert.equal((await call('GET', '/api/v1/me', { token })).statusCode, 200);
  t.clock.advance(59 * MINUTE);
  assert.equal((await call('GET', '/api/v1/me', { token })).statusCode, 200, 'the last use restarted the idle timer');
  t.clock.advance(60 * MINUTE);
  expectError(await call('GET', '/api/v1/me', { token }), 401, 'unauthenticated', undefined, 'idle for 60 minutes');
  expectError(await call('GET', '/api/v1/me/sessions', { token }), 401, 'unauthenticated', undefined, 'idle: sessions');
});

test('a session ends at its absolute expiry (7 days) however busy it is', async () => {
  const { token, expiresAt } = await signIn(member.email, member.password);
  const end = Date.parse(expiresAt);
  assert.equal(end - t.clock.now(), 7 * 24 * HOUR);
  while (end - t.clock.now() > 59 * MINUTE) {
    t.clock.advance(59 * MINUTE);
    const me = await call('GET', '/api/v1/me', { token });
    assert.equal(me.statusCode, 200, `at ${new Date(t.clock.now()).toISOString()}`);
  }
  t.clock.advance(end - t.clock.now() - 1);
  assert.equal((await call('GET', '/api/v1/me', { token })).statusCode, 200, 'one millisecond before the end');
  t.clock.advance(1);
  expectError(await call('GET', '/api/v1/me', { token }), 401, 'unauthenticated', undefined, 'at the absolute expiry');
});

// --- what every answer above had in common ------------------------------------------------------

async function countRows(table: 'members' | 'credentials' | 'sessions'): Promise<number> {
  const row = await t.services.database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

test('only the deliberately valid joins made members, each whole', async () => {
  assert.deepEqual(validJoins, [member.email, zoe.email, 'late.verifier@example.com']);
  assert.equal(await countRows('members'), validJoins.length, 'only the deliberately valid joins made members');
  assert.equal(await countRows('credentials'), validJoins.length, 'each member has exactly one password');
  for (const email of validJoins) {
    assert.ok(await t.services.flows.store.members.findByEmail(email), `${email} is a member`);
  }
});

test('no answer was a 5xx, leaked internals, or left the error shape', async () => {
  assert.ok(seen.length > 200, `only ${seen.length} requests were made`);
  const codes = new Set(Object.keys(errorCatalogue));
  for (const { label, response } of seen) {
    assert.ok(response.statusCode < 500, `${label} → ${response.statusCode} ${response.body.slice(0, 200)}`);
    assert.doesNotMatch(response.body, /\bat [^\n]*\.(ts|js|mjs|cjs):\d+/, `${label}: stack trace`);
    assert.doesNotMatch(response.body, /node_modules|\/src\/|\/work\//, `${label}: file path`);
    assert.doesNotMatch(response.body, /sqlite|postgres|kysely|syntax error/i, `${label}: database internals`);
    if (response.statusCode >= 400 && String(response.headers['content-type']).startsWith('application/json')) {
      const error = (response.json() as { error?: { code?: unknown } }).error;
      assert.ok(error && typeof error.code === 'string' && codes.has(error.code), `${label}: ${response.body.slice(0, 200)}`);
    }
  }
});
