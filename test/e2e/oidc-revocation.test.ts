import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import { cookieJarBrowser, oauthError, relyingParty, RP, startOidcApp, verifiedMember, type OidcTestApp } from '../helpers/oidc.ts';

/**
 * When a member's sessions are revoked (a password reset, "this wasn't me", an incident, a password
 * change), what their games hold must stop working too: a refresh token kept by a console would
 * otherwise outlive the reset that was meant to lock the thief out.
 */
let app: OidcTestApp;
const redirectUri = `${RP}/callback`;
const olive = { displayName: 'Olive Offline', email: 'olive.offline@example.com', birthDate: '1993-06-07', password: 'olive keeps her games signed in' };
const other = { displayName: 'Otto Other', email: 'otto.other@example.com', birthDate: '1992-01-02', password: 'otto keeps his games too' };

before(async () => {
  app = await startOidcApp();
});
after(() => app?.t.close());

async function gameTokens(game: Awaited<ReturnType<typeof relyingParty>>, sessionToken: string) {
  const browser = cookieJarBrowser(app.base);
  browser.jar.set('pp_session', sessionToken);
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(game.config, {
    redirect_uri: redirectUri,
    scope: 'openid profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: 'st',
  });
  const callback = await browser.follow(url.href);
  return client.authorizationCodeGrant(game.config, callback, { pkceCodeVerifier: verifier, expectedState: 'st' });
}

test('a password reset ends the refresh and access tokens of every game the member signed in to; other members keep theirs', async () => {
  const game = await relyingParty(app, { name: 'Offline Game', type: 'public', redirectUris: [redirectUri], scopes: ['openid', 'profile'], grantTypes: ['authorization_code', 'refresh_token'], firstParty: true });
  const oliveSession = await verifiedMember(app.t, olive);
  const ottoSession = await verifiedMember(app.t, other);
  const oliveTokens = await gameTokens(game, oliveSession.token);
  const ottoTokens = await gameTokens(game, ottoSession.token);
  assert.ok(oliveTokens.refresh_token && ottoTokens.refresh_token, 'both games hold refresh tokens');
  assert.equal((await client.tokenIntrospection(game.config, oliveTokens.access_token)).active, true);

  assert.equal((await app.t.api('POST', '/api/v1/password-resets', { body: { email: olive.email } })).statusCode, 202);
  await app.t.deliverMail();
  const mail = await app.t.smtp.waitForMail((m) => m.to.includes(olive.email) && m.text.includes('/reset'));
  const reset = await app.t.api('POST', '/api/v1/password-resets/complete', { body: { token: app.t.smtp.tokenIn(mail, '/reset'), newPassword: 'a brand new passphrase for olive' } });
  assert.equal(reset.statusCode, 204);

  assert.deepEqual(await oauthError(client.refreshTokenGrant(game.config, oliveTokens.refresh_token!)), { error: 'invalid_grant', status: 400 });
  assert.equal((await client.tokenIntrospection(game.config, oliveTokens.access_token)).active, false);
  const ottoRefreshed = await client.refreshTokenGrant(game.config, ottoTokens.refresh_token!);
  assert.equal(ottoRefreshed.claims()!.sub, ottoTokens.claims()!.sub, 'another member is untouched');
});

test('"sign out everywhere else" also signs the member out of their games', async () => {
  const game = await relyingParty(app, { name: 'Another Game', type: 'public', redirectUris: [redirectUri], scopes: ['openid', 'profile'], grantTypes: ['authorization_code', 'refresh_token'], firstParty: true });
  const session = await app.t.api('POST', '/api/v1/sessions', { body: { email: other.email, password: other.password } });
  assert.equal(session.statusCode, 201);
  const tokens = await gameTokens(game, session.json().token);
  assert.equal((await app.t.api('DELETE', '/api/v1/me/sessions', { token: session.json().token })).statusCode, 204);
  assert.deepEqual(await oauthError(client.refreshTokenGrant(game.config, tokens.refresh_token!)), { error: 'invalid_grant', status: 400 });
  assert.equal((await app.t.api('GET', '/api/v1/me', { token: session.json().token })).statusCode, 200, 'the session that asked stays');
});
