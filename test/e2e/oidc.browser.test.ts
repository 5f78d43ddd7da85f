import assert from 'node:assert/strict';
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';
import { oauthError, relyingParty, startOidcApp, startRelyingPartySite, verifiedMember, type OidcTestApp } from '../helpers/oidc.ts';

/**
 * OpenID Connect with the real openid-client as the relying party against playerpass on a random
 * port, the member's side in headless Chromium through the real pages: code + PKCE with sign-in and
 * consent, single sign-on, refresh-token rotation, claims per scope, RP-initiated logout, and the ID
 * token's signature checked against the published JWKS. Runs on PLAYERPASS_TEST_STORE.
 */

const member = { displayName: 'Ivy Relying', email: 'ivy.relying@example.com', birthDate: '1994-11-05', password: 'ivy passphrase for oidc' };
let rp: Awaited<ReturnType<typeof startRelyingPartySite>>;
let callback: string;
let signedOut: string;
let app: OidcTestApp;
let memberId: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let game: Awaited<ReturnType<typeof relyingParty>>;
const consoleErrors: { text: string; url: string }[] = [];
const pageErrors: string[] = [];

before(async () => {
  rp = await startRelyingPartySite();
  callback = `${rp.origin}/callback`;
  signedOut = `${rp.origin}/signed-out`;
  app = await startOidcApp();
  memberId = (await verifiedMember(app.t, member)).id;
  game = await relyingParty(app, {
    name: 'Star Racer',
    type: 'public',
    redirectUris: [callback],
    postLogoutRedirectUris: [signedOut],
    scopes: ['openid', 'profile', 'email'],
  });
  // openid-client then checks every ID token's signature against the provider's published JWKS.
  client.enableNonRepudiationChecks(game.config);
  browser = await launchBrowser();
  context = await browser.newContext({ baseURL: app.base });
  context.setDefaultTimeout(5000);
  context.setDefaultNavigationTimeout(5000);
  page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push({ text: message.text(), url: message.location().url });
  });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
});

after(async () => {
  await browser?.close();
  await app?.t.close();
  await rp?.close();
});

interface Started {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

async function authorization(config: client.Configuration, scope: string): Promise<Started> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: callback,
    scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { url, verifier, state, nonce };
}

async function landedAtClient(config: client.Configuration, started: Started) {
  await page.waitForURL((url) => url.href.startsWith(callback));
  return client.authorizationCodeGrant(config, new URL(page.url()), {
    pkceCodeVerifier: started.verifier,
    expectedState: started.state,
    expectedNonce: started.nonce,
    idTokenExpected: true,
  });
}

async function heading(): Promise<string> {
  return (await page.getByRole('heading', { level: 1 }).textContent())?.trim() ?? '';
}

async function consent(): Promise<string[]> {
  await page.getByRole('heading', { level: 1, name: 'Allow Star Racer?' }).waitFor();
  const scopes = await page.locator('ul.scopes li').evaluateAll((items) => items.map((item) => item.getAttribute('data-scope') ?? ''));
  await page.getByRole('button', { name: 'Allow' }).click();
  return scopes;
}

/** Verifies a JWS with node:crypto and the key of its `kid` from the published JWKS. */
async function verifiedWithJwks(jwt: string): Promise<{ alg: string; kid: string }> {
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  const { alg, kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg: string; kid: string };
  const jwks = (await (await fetch(game.config.serverMetadata().jwks_uri!)).json()) as { keys: (JsonWebKey & { kid: string })[] };
  const jwk = jwks.keys.find((key) => key.kid === kid);
  assert.ok(jwk, 'the signing key is published');
  assert.equal('d' in jwk, false, 'the JWKS holds public keys only');
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const ok = verify('sha256', Buffer.from(`${header}.${payload}`), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key, Buffer.from(signature, 'base64url'));
  assert.equal(ok, true, 'the ID token signature verifies with the published key');
  return { alg, kid };
}

let firstTokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;

test('code + PKCE: sign in and consent on the real pages; claims per scope; ID token signed with a published key', async () => {
  const started = await authorization(game.config, 'openid profile email');
  await page.goto(started.url.href);
  assert.equal(new URL(page.url()).pathname.startsWith('/interaction/'), true);
  assert.equal(await heading(), 'Sign in');
  assert.match((await page.locator('main').textContent()) ?? '', /Star Racer asks you to sign in/);

  await page.getByLabel('Email address').fill(member.email);
  await page.getByLabel('Password', { exact: true }).fill('not the password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'The email address or password is wrong.' }).waitFor();

  await page.getByLabel('Password', { exact: true }).fill(member.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  assert.deepEqual(await consent(), ['openid', 'profile', 'email']);
  firstTokens = await landedAtClient(game.config, started);

  const claims = firstTokens.claims()!;
  assert.equal(claims.iss, app.issuer.href);
  assert.equal(claims.aud, game.clientId);
  assert.deepEqual(claims.amr, ['pwd'], 'password only');
  assert.equal(claims.name, member.displayName);
  assert.equal(claims.email, member.email);
  assert.equal(claims.email_verified, true);
  assert.equal(claims.birthdate, undefined, 'no birth date without the birthdate scope');
  assert.notEqual(claims.sub, memberId, 'sub is not the member id');
  assert.ok(!claims.sub.includes('@') && !claims.sub.includes(member.email), 'sub is not the email');
  assert.ok(firstTokens.refresh_token, 'a client registered for refresh_token gets one');

  const { alg } = await verifiedWithJwks(firstTokens.id_token!);
  assert.equal(alg, 'ES256');

  const userinfo = await client.fetchUserInfo(game.config, firstTokens.access_token, claims.sub);
  assert.deepEqual(
    { ...userinfo },
    { sub: claims.sub, name: member.displayName, preferred_username: member.displayName, email: member.email, email_verified: true },
  );
  const introspected = await client.tokenIntrospection(game.config, firstTokens.access_token);
  assert.equal(introspected.active, true);
  assert.equal(introspected.sub, claims.sub);
});

test('already signed in and consented: the next authorization needs no page, same sub', async () => {
  const started = await authorization(game.config, 'openid profile');
  await page.goto(started.url.href);
  const tokens = await landedAtClient(game.config, started);
  assert.equal(tokens.claims()!.sub, firstTokens.claims()!.sub);
  assert.deepEqual(tokens.claims()!.amr, ['pwd'], 'single sign-on reports how the playerpass session was signed in to');
  assert.equal(tokens.claims()!.email, undefined, 'no email claim without the email scope');
});

test('refresh-token rotation: each refresh gives a new one; reusing an old one → invalid_grant and the family is revoked', async () => {
  const first = firstTokens.refresh_token!;
  const rotated = await client.refreshTokenGrant(game.config, first);
  assert.ok(rotated.refresh_token && rotated.refresh_token !== first, 'rotated');
  assert.equal(rotated.claims()!.sub, firstTokens.claims()!.sub);

  assert.deepEqual(await oauthError(client.refreshTokenGrant(game.config, first)), { error: 'invalid_grant', status: 400 });
  assert.deepEqual(await oauthError(client.refreshTokenGrant(game.config, rotated.refresh_token)), { error: 'invalid_grant', status: 400 }, 'the whole family is revoked');
  assert.equal((await client.tokenIntrospection(game.config, rotated.access_token)).active, false);
});

test('birthdate only for a client allowed it; a first-party client asks no consent', async () => {
  const shop = await relyingParty(app, { name: 'Publisher Shop', type: 'public', redirectUris: [callback], scopes: ['openid', 'birthdate'], firstParty: true });
  client.enableNonRepudiationChecks(shop.config);
  const started = await authorization(shop.config, 'openid birthdate');
  await page.goto(started.url.href);
  const tokens = await landedAtClient(shop.config, started);
  const claims = tokens.claims()!;
  assert.equal(claims.birthdate, member.birthDate);
  assert.equal(claims.email, undefined);
  assert.equal(claims.name, undefined);
  assert.equal(claims.sub, firstTokens.claims()!.sub, 'one stable subject for every client');
});

test('RP-initiated logout: confirm on the page → back at the client; the playerpass session and the grant end', async () => {
  // The replay above revoked Star Racer's grant, so the member is asked to consent again.
  const started = await authorization(game.config, 'openid profile');
  await page.goto(started.url.href);
  assert.deepEqual(await consent(), ['openid', 'profile']);
  const tokens = await landedAtClient(game.config, started);

  const logout = client.buildEndSessionUrl(game.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: signedOut, state: 'bye' });
  await page.goto(logout.href);
  assert.equal(await heading(), 'Sign out');
  assert.match((await page.locator('main').textContent()) ?? '', /Star Racer asks to sign you out/);
  await page.getByRole('button', { name: 'Sign me out' }).click();
  await page.waitForURL((url) => url.href.startsWith(signedOut));
  assert.equal(new URL(page.url()).searchParams.get('state'), 'bye');

  assert.equal((await context.cookies(app.base)).find((c) => c.name === 'pp_session'), undefined, 'the playerpass session cookie is gone');
  await page.goto('/account');
  assert.equal(new URL(page.url()).pathname, '/sign-in', 'signed out of playerpass too');
  assert.deepEqual(await oauthError(client.refreshTokenGrant(game.config, tokens.refresh_token!)), { error: 'invalid_grant', status: 400 });

  const again = await authorization(game.config, 'openid');
  await page.goto(again.url.href);
  assert.equal(await heading(), 'Sign in', 'the next authorization asks to sign in again');
});

test('no Content Security Policy violation nor script error during the whole run', () => {
  assert.deepEqual(consoleErrors.filter((e) => /Content Security Policy/i.test(e.text)), []);
  assert.deepEqual(pageErrors, []);
  const unexpected = consoleErrors.filter((e) => !(/status of 401\b/.test(e.text) && /\/interaction\/[^/]+\/login$/.test(new URL(e.url, app.base).pathname)) && !/favicon\.ico/.test(e.url));
  assert.deepEqual(unexpected, [], 'unexpected console errors');
});
