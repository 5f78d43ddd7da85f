import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import { generateSync } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';
import { relyingParty, startOidcApp, startRelyingPartySite, verifiedMember, type OidcTestApp } from '../helpers/oidc.ts';

/**
 * OpenID Connect inherits the member's second factor: signing in inside an authorization request
 * with the right password alone does not reach the client; the second step does.
 */
const member = { displayName: 'Otto Second', email: 'otto.second@example.com', birthDate: '1990-02-02', password: 'otto has two factors now' };
let rp: Awaited<ReturnType<typeof startRelyingPartySite>>;
let app: OidcTestApp;
let browser: Browser;
let page: Page;
let secret: string;
let game: Awaited<ReturnType<typeof relyingParty>>;
const pageErrors: string[] = [];

before(async () => {
  rp = await startRelyingPartySite();
  app = await startOidcApp();
  const { token } = await verifiedMember(app.t, member);
  const started = await app.t.api('POST', '/api/v1/me/mfa/totp', { token });
  secret = started.json().secret as string;
  const confirmed = await app.t.api('POST', '/api/v1/me/mfa/totp/confirm', { token, body: { code: generateSync({ secret, epoch: Math.floor(app.t.clock.now() / 1000) }) } });
  assert.equal(confirmed.statusCode, 200);
  app.t.clock.advance(30_000);
  game = await relyingParty(app, { name: 'Star Racer', type: 'public', firstParty: true, redirectUris: [`${rp.origin}/callback`], scopes: ['openid', 'profile'] });
  browser = await launchBrowser();
  const context = await browser.newContext({ baseURL: app.base });
  context.setDefaultTimeout(5000);
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
});

after(async () => {
  await browser?.close();
  await app?.t.close();
  await rp?.close();
});

test('the interaction asks for the second factor after the password, and only then returns to the client', async () => {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(game.config, {
    redirect_uri: `${rp.origin}/callback`,
    scope: 'openid profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  await page.goto(url.href);
  await page.getByLabel('Email address', { exact: true }).fill(member.email);
  await page.getByLabel('Password', { exact: true }).fill(member.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Second step' }).waitFor();
  assert.match(new URL(page.url()).pathname, /^\/interaction\//, 'still inside playerpass');

  await page.getByLabel(/Code from your authenticator app/).fill('000000' === generateSync({ secret, epoch: Math.floor(app.t.clock.now() / 1000) }) ? '111111' : '000000');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText('That code did not work.').waitFor();
  assert.match(new URL(page.url()).pathname, /^\/interaction\//, 'a wrong code does not reach the client');

  await page.getByLabel(/Code from your authenticator app/).fill(generateSync({ secret, epoch: Math.floor(app.t.clock.now() / 1000) }));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((u) => u.href.startsWith(`${rp.origin}/callback`));
  const tokens = await client.authorizationCodeGrant(game.config, new URL(page.url()), { pkceCodeVerifier: verifier, expectedState: state, idTokenExpected: true });
  const claims = tokens.claims()!;
  assert.ok(claims.sub);
  assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa'], 'the game learns that a second factor was used');
  const audit = await app.t.services.database.db.selectFrom('audit_events').select('data').where('type', '=', 'sign_in.succeeded').orderBy('seq', 'desc').executeTakeFirstOrThrow();
  assert.equal(JSON.parse(audit.data).method, 'password+totp');
  assert.deepEqual(pageErrors, []);
});
