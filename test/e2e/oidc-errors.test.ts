import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import { hashToken } from '../../src/crypto/random.ts';
import { cookieJarBrowser, oauthError, relyingParty, RP, startOidcApp, verifiedMember, type OidcTestApp } from '../helpers/oidc.ts';

/**
 * The OpenID provider through openid-client with no browser: client credentials, introspection and
 * revocation, and the standard OAuth errors for bad requests (never a 5xx). Runs on
 * PLAYERPASS_TEST_STORE (CI runs it on PostgreSQL too).
 */

let app: OidcTestApp;
let member: { id: string; token: string };
const redirectUri = `${RP}/callback`;

before(async () => {
  app = await startOidcApp();
  member = await verifiedMember(app.t, { displayName: 'Orla Errors', email: 'orla.errors@example.com', birthDate: '1990-02-03', password: 'orla passphrase for errors' });
});
after(async () => {
  await app?.t.close();
});

/** A code for a first-party client from a browser already signed in to playerpass: redirects only. */
async function authorizationCode(config: client.Configuration, extra: Record<string, string> = {}) {
  const browser = cookieJarBrowser(app.base);
  browser.jar.set('pp_session', member.token);
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: 'st',
    ...extra,
  });
  return { callback: await browser.follow(url.href), verifier };
}

test('client credentials: a game server gets a token; introspection and revocation work', async () => {
  const server = await relyingParty(app, { name: 'Game Server', type: 'confidential', grantTypes: ['client_credentials'] });
  const tokens = await client.clientCredentialsGrant(server.config);
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  assert.ok(tokens.access_token.length >= 40);
  assert.ok(tokens.expires_in! > 0 && tokens.expires_in! <= 600);

  const active = await client.tokenIntrospection(server.config, tokens.access_token);
  assert.equal(active.active, true);
  assert.equal(active.client_id, server.clientId);
  assert.equal(active.sub, undefined, 'a client credentials token has no member');

  await client.tokenRevocation(server.config, tokens.access_token);
  assert.equal((await client.tokenIntrospection(server.config, tokens.access_token)).active, false);

  const wrong = client.discovery(app.issuer, server.clientId, undefined, client.ClientSecretBasic('not-the-secret'), { execute: [client.allowInsecureRequests] });
  const failed = await oauthError(wrong.then((config) => client.clientCredentialsGrant(config)));
  assert.deepEqual(failed, { error: 'invalid_client', status: 401 });
});

test('the client secret is stored only as a hash', async () => {
  const { secret, clientId } = await relyingParty(app, { name: 'Hashed', type: 'confidential', grantTypes: ['client_credentials'] });
  const row = await app.t.services.database.db.selectFrom('oidc_clients').selectAll().where('client_id', '=', clientId).executeTakeFirstOrThrow();
  assert.ok(secret && !JSON.stringify(row).includes(secret));
  assert.equal(row.secret_hash, `sha256.${hashToken(secret)}`);
});

test('unknown client → invalid_client, at the token endpoint and (as a page) at the authorization endpoint', async () => {
  const ghost = await client.discovery(app.issuer, 'no-such-client', undefined, client.ClientSecretBasic('x'), { execute: [client.allowInsecureRequests] });
  assert.deepEqual(await oauthError(client.clientCredentialsGrant(ghost)), { error: 'invalid_client', status: 401 });

  const url = client.buildAuthorizationUrl(ghost, { redirect_uri: redirectUri, scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
  const page = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html' } });
  assert.equal(page.status, 400, 'never redirected to a URI nobody registered');
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  assert.match(await page.text(), /<code>invalid_client<\/code>/);
});

test('wrong redirect URI → invalid_redirect_uri (no redirect); missing PKCE → invalid_request at the client', async () => {
  const game = await relyingParty(app, { name: 'Strict Game', type: 'public', redirectUris: [redirectUri], scopes: ['openid', 'profile'] });
  const wrong = client.buildAuthorizationUrl(game.config, {
    redirect_uri: 'https://evil.example/callback',
    scope: 'openid',
    code_challenge: 'x'.repeat(43),
    code_challenge_method: 'S256',
  });
  const refused = await fetch(wrong, { redirect: 'manual' });
  assert.equal(refused.status, 400, 'never redirected to an unregistered URI');
  assert.match(await refused.text(), /<code>invalid_redirect_uri<\/code>/);

  const noPkce = client.buildAuthorizationUrl(game.config, { redirect_uri: redirectUri, scope: 'openid', state: 's1' });
  const answer = await fetch(noPkce, { redirect: 'manual' });
  assert.equal(answer.status, 303);
  const back = new URL(answer.headers.get('location')!);
  assert.equal(back.origin + back.pathname, redirectUri);
  assert.equal(back.searchParams.get('error'), 'invalid_request');
  assert.match(back.searchParams.get('error_description') ?? '', /PKCE/);
  assert.equal(back.searchParams.get('state'), 's1');

  const plain = client.buildAuthorizationUrl(game.config, { redirect_uri: redirectUri, scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' });
  assert.equal(new URL((await fetch(plain, { redirect: 'manual' })).headers.get('location')!).searchParams.get('error'), 'invalid_request');

  const birthdate = client.buildAuthorizationUrl(game.config, { redirect_uri: redirectUri, scope: 'openid birthdate', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
  const notAllowed = new URL((await fetch(birthdate, { redirect: 'manual' })).headers.get('location')!);
  assert.equal(notAllowed.searchParams.get('error'), 'invalid_scope', 'a scope the client is not allowed is refused');
});

test('a replayed authorization code → invalid_grant, and the tokens issued from it are revoked', async () => {
  const game = await relyingParty(app, { name: 'First Party Game', type: 'public', redirectUris: [redirectUri], scopes: ['openid', 'profile'], firstParty: true });
  const { callback, verifier } = await authorizationCode(game.config);
  assert.equal(callback.origin + callback.pathname, redirectUri, 'a first-party client with a signed-in member needs no page');
  const tokens = await client.authorizationCodeGrant(game.config, callback, { pkceCodeVerifier: verifier, expectedState: 'st' });
  assert.equal((await client.tokenIntrospection(game.config, tokens.access_token)).active, true);

  const replay = await oauthError(client.authorizationCodeGrant(game.config, callback, { pkceCodeVerifier: verifier, expectedState: 'st' }));
  assert.deepEqual(replay, { error: 'invalid_grant', status: 400 });
  assert.equal((await client.tokenIntrospection(game.config, tokens.access_token)).active, false, 'the code replay revoked its grant');

  const { callback: other } = await authorizationCode(game.config);
  const wrongVerifier = await oauthError(client.authorizationCodeGrant(game.config, other, { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: 'st' }));
  assert.equal(wrongVerifier.error, 'invalid_grant');
});

test('response_mode=form_post: the auto-submitting page runs under the CSP by its script hash, and may post to the client only', async () => {
  const game = await relyingParty(app, { name: 'Form Post Game', type: 'public', redirectUris: [redirectUri], firstParty: true });
  const browser = cookieJarBrowser(app.base);
  browser.jar.set('pp_session', member.token);
  const url = client.buildAuthorizationUrl(game.config, {
    redirect_uri: redirectUri,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    response_mode: 'form_post',
  });
  let response = await browser.request(url.href);
  for (let hop = 0; hop < 10 && response.headers.get('location'); hop++) response = await browser.request(new URL(response.headers.get('location')!, app.base).href);
  assert.equal(response.status, 200);
  const csp = response.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self' 'sha256-[A-Za-z0-9+/=]+'(;|$)/, 'only that one inline script is allowed');
  assert.match(csp, new RegExp(`form-action 'self' ${RP.replace(/[.]/g, '\\.')}(;|$)`));
  const html = await response.text();
  assert.match(html, new RegExp(`<form method="post" action="${redirectUri.replace(/[.]/g, '\\.')}">`));
  assert.match(html, /name="code"/);
});

test('an expired device code → expired_token; an unknown one → invalid_grant', async () => {
  const tv = await relyingParty(app, { name: 'Living Room TV', type: 'public', grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'], scopes: ['openid', 'profile'] });
  const started = await client.initiateDeviceAuthorization(tv.config, { scope: 'openid' });
  assert.ok(started.expires_in <= 600, 'device codes live at most 10 minutes');
  // Ten minutes pass (oidc-provider keeps its own clock, so the stored expiry is moved instead).
  const db = app.t.services.database.db;
  const row = await db.selectFrom('oidc_payloads').select('payload').where('kind', '=', 'DeviceCode').where('id', '=', hashToken(started.device_code)).executeTakeFirstOrThrow();
  const payload = JSON.parse(row.payload) as { exp: number };
  payload.exp = Math.floor(Date.now() / 1000) - 60;
  await db.updateTable('oidc_payloads').set({ payload: JSON.stringify(payload) }).where('kind', '=', 'DeviceCode').where('id', '=', hashToken(started.device_code)).execute();

  const expired = await oauthError(client.genericGrantRequest(tv.config, 'urn:ietf:params:oauth:grant-type:device_code', { device_code: started.device_code }));
  assert.deepEqual(expired, { error: 'expired_token', status: 400 });
  const unknown = await oauthError(client.genericGrantRequest(tv.config, 'urn:ietf:params:oauth:grant-type:device_code', { device_code: 'made-up' }));
  assert.deepEqual(unknown, { error: 'invalid_grant', status: 400 });
});

test('a grant the client is not registered for → invalid_request (oidc-provider\'s answer)', async () => {
  const game = await relyingParty(app, { name: 'Code Only', type: 'public', redirectUris: [redirectUri] });
  assert.deepEqual(await oauthError(client.initiateDeviceAuthorization(game.config, { scope: 'openid' })), { error: 'invalid_request', status: 400 });
  assert.deepEqual(await oauthError(client.clientCredentialsGrant(game.config)), { error: 'invalid_request', status: 400 });
});

test('with the oidc capability off, new authorizations get temporarily_unavailable', async () => {
  const capabilities = app.t.services.flows.capabilities;
  const game = await relyingParty(app, { name: 'Paused Game', type: 'public', redirectUris: [redirectUri], firstParty: true });
  const tv = await relyingParty(app, { name: 'Paused TV', type: 'public', grantTypes: ['urn:ietf:params:oauth:grant-type:device_code'] });
  await capabilities.set('oidc', 'off', 'Game sign-in is paused for an upgrade.', 'cli');
  try {
    const { callback } = await authorizationCode(game.config);
    assert.equal(callback.searchParams.get('error'), 'temporarily_unavailable');
    assert.equal(callback.searchParams.get('error_description'), 'Game sign-in is paused for an upgrade.');
    const device = await fetch(new URL('/oidc/device/auth', app.base), { method: 'POST', body: new URLSearchParams({ client_id: tv.clientId }) });
    assert.equal(device.status, 503);
    assert.equal(((await device.json()) as { error: string }).error, 'temporarily_unavailable');
    const link = await fetch(new URL('/link', app.base));
    assert.equal(link.status, 503);
    assert.match(await link.text(), /Game sign-in is paused for an upgrade\./);
  } finally {
    await capabilities.set('oidc', 'on', undefined, 'cli');
  }
  const { callback } = await authorizationCode(game.config);
  assert.ok(callback.searchParams.get('code'));
});

test('discovery is also served at the root, with the issuer under /oidc', async () => {
  const response = await fetch(new URL('/.well-known/openid-configuration', app.base));
  assert.equal(response.status, 200);
  const metadata = (await response.json()) as { issuer: string; response_types_supported: string[]; code_challenge_methods_supported: string[]; grant_types_supported: string[]; token_endpoint_auth_methods_supported: string[] };
  assert.equal(metadata.issuer, app.issuer.href);
  assert.deepEqual(metadata.response_types_supported, ['code']);
  assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
  assert.ok(metadata.grant_types_supported.includes('urn:ietf:params:oauth:grant-type:device_code'));
  assert.ok(!metadata.token_endpoint_auth_methods_supported.includes('client_secret_jwt'), 'secrets are hashed, so never used as keys');
});
