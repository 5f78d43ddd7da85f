import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { after, before, test } from 'node:test';
import type { CapabilityName } from '../../src/ops/maintenance/capabilities.ts';
import { buildTestApp, type TestApp } from '../helpers/test-app.ts';

const ADMIN_TOKEN = 'test-admin-token-0123456789-abcdefghij';
const PASSWORD = 'a long passphrase for the probes 7';

let t: TestApp;
let session = '';
let cookie = '';
let csrf = '';
let joined = 0;

const newMember = () => {
  joined++;
  return { displayName: `Prober ${joined}`, email: `prober${joined}@example.com`, birthDate: '1990-01-01', password: PASSWORD };
};

/** PUT, which the test app's api() does not speak. */
function put(url: string, body: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'PUT', url, headers, payload: body as object });
}

async function setSwitch(name: CapabilityName, state: 'on' | 'off' | 'read_only', message?: string): Promise<void> {
  const response = await put(`/api/v1/admin/capabilities/${name}`, { state, ...(message !== undefined ? { message } : {}) }, { authorization: `Bearer ${ADMIN_TOKEN}` });
  assert.equal(response.statusCode, 200, response.body);
}

function page(method: 'GET' | 'POST', url: string, form?: Record<string, string>, withSession = false): Promise<LightMyRequestResponse> {
  const cookies = withSession ? cookie : cookie.split('; ').filter((c) => !c.startsWith('pp_session=')).join('; ');
  return t.app.inject({
    method,
    url,
    headers: { cookie: cookies, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(form ? { payload: new URLSearchParams({ _csrf: csrf, ...form }).toString() } : {}),
  });
}

before(async () => {
  t = await buildTestApp({ env: { PLAYERPASS_ADMIN_TOKEN: ADMIN_TOKEN } });
  const member = newMember();
  assert.equal((await t.api('POST', '/api/v1/members', { body: member })).statusCode, 202);
  await t.deliverMail();
  const mail = await t.smtp.waitForMail((m) => m.to.includes(member.email));
  assert.equal((await t.api('POST', '/api/v1/email-verifications', { body: { token: t.smtp.tokenIn(mail, '/verify') } })).statusCode, 200);
  const signedIn = await t.api('POST', '/api/v1/sessions', { body: { email: member.email, password: PASSWORD } });
  assert.equal(signedIn.statusCode, 201);
  session = signedIn.json().token;
  // The session cookie and a CSRF cookie with its form token (from the signed-in nav's sign-out form).
  const account = await t.app.inject({ method: 'GET', url: '/account', headers: { cookie: `pp_session=${session}` } });
  const csrfCookie = [account.headers['set-cookie']].flat().find((c) => String(c).startsWith('pp_csrf='))!;
  cookie = `pp_session=${session}; ${String(csrfCookie).split(';')[0]}`;
  csrf = /name="_csrf" value="([^"]+)"/.exec(account.body)![1]!;
});
after(async () => {
  await t?.close();
});

interface Probe {
  what: string;
  /** The capability that refuses it, if any; `read` probes are refused by off only, not read_only. */
  capability?: CapabilityName;
  read?: boolean;
  ok: number;
  run(): Promise<LightMyRequestResponse>;
}

const token = 'bogus-token-that-is-long-enough-0123456789';
const probes: Probe[] = [
  { what: 'POST /api/v1/members', capability: 'join', ok: 202, run: () => t.api('POST', '/api/v1/members', { body: newMember() }) },
  { what: 'POST /api/v1/sessions', capability: 'sign_in', ok: 201, run: () => t.api('POST', '/api/v1/sessions', { body: { email: 'prober1@example.com', password: PASSWORD } }) },
  { what: 'POST /api/v1/password-resets', capability: 'password_reset', ok: 202, run: () => t.api('POST', '/api/v1/password-resets', { body: { email: 'prober1@example.com' } }) },
  { what: 'POST /api/v1/password-resets/complete', capability: 'password_reset', ok: 400, run: () => t.api('POST', '/api/v1/password-resets/complete', { body: { token, newPassword: 'another long passphrase 8' } }) },
  { what: 'GET /api/v1/me', capability: 'profile_changes', read: true, ok: 200, run: () => t.api('GET', '/api/v1/me', { token: session }) },
  { what: 'PATCH /api/v1/me', capability: 'profile_changes', ok: 200, run: () => t.api('PATCH', '/api/v1/me', { token: session, body: { birthDate: '1990-01-02' } }) },
  { what: 'POST /api/v1/me/email', capability: 'profile_changes', ok: 400, run: () => t.api('POST', '/api/v1/me/email', { token: session, body: { newEmail: 'not an address', currentPassword: 'x' } }) },
  { what: 'POST /api/v1/me/password', capability: 'profile_changes', ok: 400, run: () => t.api('POST', '/api/v1/me/password', { token: session, body: { currentPassword: 'x', newPassword: 'short' } }) },
  { what: 'POST /api/v1/email-changes', capability: 'profile_changes', ok: 400, run: () => t.api('POST', '/api/v1/email-changes', { body: { token } }) },
  { what: 'GET /api/v1/me/sessions', ok: 200, run: () => t.api('GET', '/api/v1/me/sessions', { token: session }) },
  { what: 'POST /api/v1/email-verifications', ok: 400, run: () => t.api('POST', '/api/v1/email-verifications', { body: { token } }) },
  { what: 'GET /api/v1/status', ok: 200, run: () => t.api('GET', '/api/v1/status') },
  { what: 'GET /join', capability: 'join', ok: 200, run: () => page('GET', '/join') },
  { what: 'GET /sign-in', capability: 'sign_in', ok: 200, run: () => page('GET', '/sign-in') },
  { what: 'GET /forgot', capability: 'password_reset', ok: 200, run: () => page('GET', '/forgot') },
  { what: 'GET /reset', capability: 'password_reset', ok: 200, run: () => page('GET', `/reset?token=${token}`) },
  { what: 'GET /account', capability: 'profile_changes', read: true, ok: 200, run: () => page('GET', '/account', undefined, true) },
  { what: 'GET /account/sessions', ok: 200, run: () => page('GET', '/account/sessions', undefined, true) },
  { what: 'GET /verify', ok: 200, run: () => page('GET', `/verify?token=${token}`) },
];

/** Form posts, probed only while their capability is off (they would otherwise change things). */
const posts: Record<Exclude<CapabilityName, 'oidc'>, Array<() => Promise<LightMyRequestResponse>>> = {
  join: [() => page('POST', '/join', newMember())],
  sign_in: [() => page('POST', '/sign-in', { email: 'prober1@example.com', password: PASSWORD })],
  password_reset: [() => page('POST', '/forgot', { email: 'prober1@example.com' }), () => page('POST', '/reset', { token, newPassword: 'another long passphrase 8' })],
  profile_changes: [
    () => page('POST', '/account/details', { displayName: 'Renamed', birthDate: '1990-01-03' }, true),
    () => page('POST', '/account/password', { currentPassword: PASSWORD, newPassword: 'another long passphrase 8' }, true),
  ],
};

function assertRefused(response: LightMyRequestResponse, message: string, what: string): void {
  assert.equal(response.statusCode, 503, `${what} is refused: ${response.body.slice(0, 300)}`);
  assert.equal(response.headers['retry-after'], '300', `${what} says when to retry`);
  if (String(response.headers['content-type']).startsWith('application/json')) {
    assert.deepEqual(response.json(), { error: { code: 'capability_offline', message } }, what);
  } else {
    assert.ok(response.body.includes(message.replaceAll('&', '&amp;')), `${what} shows the message`);
    assert.ok(!response.body.includes('type="password"'), `${what} shows no form`);
  }
}

for (const capability of ['join', 'sign_in', 'password_reset', 'profile_changes', 'oidc'] as const) {
  test(`${capability} off refuses exactly its own endpoints, with the message; the rest keeps working`, async () => {
    const message = `${capability} is paused for maintenance & back at 14:00 UTC.`;
    await setSwitch(capability, 'off', message);
    try {
      for (const probe of probes) {
        const response = await probe.run();
        if (probe.capability === capability) assertRefused(response, message, probe.what);
        else assert.equal(response.statusCode, probe.ok, `${probe.what} still works with ${capability} off: ${response.body.slice(0, 300)}`);
      }
      if (capability !== 'oidc') for (const post of posts[capability]) assertRefused(await post(), message, `a ${capability} form`);
      const status = await t.api('GET', '/api/v1/status');
      assert.equal(status.json().capabilities[capability], 'off');
      assert.equal(status.json().message, message);
    } finally {
      await setSwitch(capability, 'on');
    }
  });
}

test('profile_changes read_only: members still read their profile, changes are refused', async () => {
  const message = 'Profiles are read-only while we move data centres.';
  await setSwitch('profile_changes', 'read_only', message);
  try {
    assert.equal((await t.api('GET', '/api/v1/me', { token: session })).statusCode, 200);
    assertRefused(await t.api('PATCH', '/api/v1/me', { token: session, body: { displayName: 'Renamed' } }), message, 'PATCH /api/v1/me');
    assertRefused(await t.api('POST', '/api/v1/me/password', { token: session, body: { currentPassword: PASSWORD, newPassword: 'another long passphrase 8' } }), message, 'POST /api/v1/me/password');
    const account = await page('GET', '/account', undefined, true);
    assert.equal(account.statusCode, 200);
    assert.ok(account.body.includes('Prober 1'), 'the details are shown');
    assert.ok(account.body.includes(message), 'with the message');
    assert.ok(!account.body.includes('action="/account/details"'), 'instead of the forms');
    assertRefused(await page('POST', '/account/details', { displayName: 'Renamed', birthDate: '1990-01-03' }, true), message, 'POST /account/details');
    assert.equal((await t.api('GET', '/api/v1/me', { token: session })).json().displayName, 'Prober 1', 'nothing changed');
    assert.equal((await t.api('GET', '/api/v1/status')).json().capabilities.profile_changes, 'read_only');
  } finally {
    await setSwitch('profile_changes', 'on');
  }
});

test('sign_in off or read_only stops new sign-ins but leaves existing sessions working', async () => {
  for (const state of ['off', 'read_only'] as const) {
    await setSwitch('sign_in', state, 'Sign-in is paused.');
    assertRefused(await t.api('POST', '/api/v1/sessions', { body: { email: 'prober1@example.com', password: PASSWORD } }), 'Sign-in is paused.', `sign-in while ${state}`);
    assert.equal((await t.api('GET', '/api/v1/me', { token: session })).statusCode, 200);
    assert.equal((await page('GET', '/account', undefined, true)).statusCode, 200);
  }
  await setSwitch('sign_in', 'on');
  assert.equal((await t.api('POST', '/api/v1/sessions', { body: { email: 'prober1@example.com', password: PASSWORD } })).statusCode, 201);
});

test('the status page and /api/v1/status show the state and the message; every page links to the status', async () => {
  await setSwitch('password_reset', 'off', 'Resets return at <b>14:00</b> UTC.');
  await setSwitch('oidc', 'read_only', 'Game sign-in is read-only.');
  try {
    const api = await t.api('GET', '/api/v1/status');
    assert.equal(api.statusCode, 200);
    assert.deepEqual(api.json(), {
      capabilities: { join: 'on', profile_changes: 'on', password_reset: 'off', sign_in: 'on', oidc: 'read_only' },
      message: 'Resets return at <b>14:00</b> UTC.\nGame sign-in is read-only.',
      messages: { password_reset: 'Resets return at <b>14:00</b> UTC.', oidc: 'Game sign-in is read-only.' },
    });
    const statusPage = await page('GET', '/status');
    assert.equal(statusPage.statusCode, 200);
    assert.ok(statusPage.body.includes('Resets return at &lt;b&gt;14:00&lt;/b&gt; UTC.'), 'the message, escaped');
    assert.ok(!statusPage.body.includes('<b>14:00</b>'));
    assert.match(statusPage.body, /Password reset<\/dt><dd><strong class="status-off">Off<\/strong>/);
    assert.match(statusPage.body, /Signing in to games and sites<\/dt><dd><strong class="status-read_only">Read-only<\/strong>/);
    assert.match(statusPage.body, /Joining<\/dt><dd><strong class="status-on">On<\/strong><\/dd>/);
    assert.match((await page('GET', '/join')).body, /<a href="\/status">Service status<\/a>/);
  } finally {
    await setSwitch('password_reset', 'on');
    await setSwitch('oidc', 'on');
  }
  assert.deepEqual((await t.api('GET', '/api/v1/status')).json(), {
    capabilities: { join: 'on', profile_changes: 'on', password_reset: 'on', sign_in: 'on', oidc: 'on' },
  });
});

test('the admin API needs its token, and every change is in the audit trail', async () => {
  const putJoin = (headers: Record<string, string>, body: unknown = { state: 'off' }) => put('/api/v1/admin/capabilities/join', body, headers);
  const wrong: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${ADMIN_TOKEN}x` }, { authorization: `Basic ${ADMIN_TOKEN}` }, { authorization: session }];
  for (const headers of wrong) {
    const response = await putJoin(headers);
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error.code, 'unauthenticated');
  }
  assert.equal((await putJoin({}, { state: 'sideways' })).statusCode, 401, 'the token is checked before the body');
  assert.equal((await t.api('GET', '/api/v1/admin/capabilities')).statusCode, 401);
  assert.equal(t.services.flows.capabilities.state('join'), 'on', 'nothing changed');

  const bad = await putJoin({ authorization: `Bearer ${ADMIN_TOKEN}` }, { state: 'sideways' });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().error.code, 'validation_failed');
  assert.equal((await put('/api/v1/admin/capabilities/teleport', { state: 'off' }, { authorization: `Bearer ${ADMIN_TOKEN}` })).statusCode, 400);

  const changed = await putJoin({ authorization: `Bearer ${ADMIN_TOKEN}` }, { state: 'off', message: 'Joining paused.' });
  assert.equal(changed.statusCode, 200);
  assert.equal(changed.json().state, 'off');
  assert.equal(changed.json().message, 'Joining paused.');
  assert.equal(changed.json().updatedBy, 'admin_api');
  const list = await t.api('GET', '/api/v1/admin/capabilities', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal(list.statusCode, 200);
  assert.equal(list.json().find((c: { name: string }) => c.name === 'join').state, 'off');
  await setSwitch('join', 'on');

  const events = await t.services.database.db.selectFrom('audit_events').select(['type', 'data']).where('type', '=', 'capability.changed').orderBy('seq').execute();
  const last = events.slice(-2).map((e) => JSON.parse(e.data));
  assert.deepEqual(last, [
    { actor: 'admin_api', name: 'join', state: 'off', withMessage: true },
    { actor: 'admin_api', name: 'join', state: 'on', withMessage: false },
  ]);

  const doc = (await t.api('GET', '/api/v1/openapi.json')).json();
  assert.ok(doc.paths['/api/v1/status'].get.responses['200'].content['application/json'].schema, 'the status is documented with its schema');
  assert.ok(doc.paths['/api/v1/admin/capabilities/{name}'].put);
});

test('without PLAYERPASS_ADMIN_TOKEN the admin API does not exist', async () => {
  const plain = await buildTestApp();
  try {
    const headerSets: Record<string, string>[] = [{}, { authorization: `Bearer ${ADMIN_TOKEN}` }];
    for (const headers of headerSets) {
      const response = await plain.app.inject({ method: 'PUT', url: '/api/v1/admin/capabilities/join', payload: { state: 'off' }, headers });
      assert.equal(response.statusCode, 404);
      assert.equal(response.json().error.code, 'not_found');
    }
    assert.equal((await plain.api('GET', '/api/v1/admin/capabilities')).statusCode, 404);
    assert.equal(plain.services.flows.capabilities.state('join'), 'on');
  } finally {
    await plain.close();
  }
});
