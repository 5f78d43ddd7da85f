import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { LINK_WARNING } from '../../src/oidc/views/link-pages.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { oauthError, relyingParty, startOidcApp, verifiedMember, type OidcTestApp } from '../helpers/oidc.ts';

/**
 * The device authorization grant end to end: the console side (openid-client) polls while the
 * member, in headless Chromium, enters the code at /link, checks which client asks, signs in and
 * consents. Then the code entry's limits. Runs on PLAYERPASS_TEST_STORE.
 */

const member = { displayName: 'Dev Console', email: 'dev.console@example.com', birthDate: '1988-01-30', password: 'console passphrase 77' };
const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;

let app: OidcTestApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let tv: Awaited<ReturnType<typeof relyingParty>>;
const cspViolations: string[] = [];
const pageErrors: string[] = [];

before(async () => {
  app = await startOidcApp();
  await verifiedMember(app.t, member);
  tv = await relyingParty(app, {
    name: 'Couch Kart (TV)',
    type: 'public',
    grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
    scopes: ['openid', 'profile'],
  });
  client.enableNonRepudiationChecks(tv.config);
  browser = await launchBrowser();
  context = await browser.newContext({ baseURL: app.base });
  context.setDefaultTimeout(5000);
  context.setDefaultNavigationTimeout(5000);
  page = await context.newPage();
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
});

after(async () => {
  await browser?.close();
  await app?.t.close();
});

async function heading(): Promise<string> {
  return (await page.getByRole('heading', { level: 1 }).textContent())?.trim() ?? '';
}

async function enterCode(code: string): Promise<void> {
  await page.goto('/link');
  assert.equal(await heading(), 'Link a device');
  await page.getByLabel('Code').fill(code);
  await page.getByRole('button', { name: 'Continue' }).click();
}

test('device flow: the console polls while the member enters the code at /link, signs in and consents', async () => {
  const started = await client.initiateDeviceAuthorization(tv.config, { scope: 'openid profile' });
  assert.match(started.user_code, USER_CODE, 'RFC 8628 base-20 alphabet, XXXX-XXXX');
  assert.equal(started.verification_uri, `${app.base}/link`);
  assert.equal(started.verification_uri_complete, `${app.base}/link?user_code=${started.user_code}`);
  assert.ok(started.expires_in > 0 && started.expires_in <= 600, 'a device code lives at most 10 minutes');

  const polling = client.pollDeviceAuthorizationGrant(tv.config, started);

  // A mistyped code is refused on the page, with the warning kept in view.
  await enterCode('BBBB-BBBB');
  await page.getByRole('alert').filter({ hasText: 'That code is not right.' }).waitFor();
  assert.match((await page.locator('main').textContent()) ?? '', new RegExp(LINK_WARNING.replace(/[.]/g, '\\.')));

  // The lowercase, unhyphenated code works too; the confirmation names the client and warns again.
  await enterCode(started.user_code.replace('-', '').toLowerCase());
  await page.getByText('Couch Kart (TV) is asking to sign in with your playerpass account.').waitFor();
  assert.equal((await page.locator('code.user-code').textContent())?.trim(), started.user_code);
  assert.match((await page.locator('main').textContent()) ?? '', /Never enter a code someone sent you\./);
  await page.getByRole('button', { name: 'Continue' }).click();

  assert.equal(await heading(), 'Sign in');
  await page.getByLabel('Email address').fill(member.email);
  await page.getByLabel('Password', { exact: true }).fill(member.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Allow Couch Kart (TV)?' }).waitFor();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.getByRole('heading', { level: 1, name: 'Device linked' }).waitFor();
  assert.match((await page.getByRole('status').textContent()) ?? '', /Couch Kart \(TV\) is now signed in/);

  const tokens = await polling;
  const claims = tokens.claims()!;
  assert.equal(claims.name, member.displayName);
  assert.equal(claims.email, undefined);
  assert.ok(tokens.refresh_token, 'the console keeps a refresh token');
  const refreshed = await client.refreshTokenGrant(tv.config, tokens.refresh_token);
  assert.equal(refreshed.claims()!.sub, claims.sub);

  // The code works once.
  await enterCode(started.user_code);
  await page.getByRole('alert').filter({ hasText: 'That code has already been used.' }).waitFor();
});

test('the member can refuse at the confirmation: the console gets access_denied', async () => {
  const started = await client.initiateDeviceAuthorization(tv.config, { scope: 'openid' });
  const polling = oauthError(client.pollDeviceAuthorizationGrant(tv.config, started));
  await page.goto(`/link?user_code=${started.user_code}`);
  assert.equal(await page.getByLabel('Code').inputValue(), started.user_code, 'a QR link only fills in the code');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Cancel, this is not mine' }).click();
  await page.getByRole('alert').filter({ hasText: 'Cancelled: nothing was signed in.' }).waitFor();
  assert.equal((await polling).error, 'access_denied');
});

test('code entry is rate-limited per IP', async () => {
  let last = 0;
  for (let attempt = 0; attempt < 25 && last !== 429; attempt++) {
    const response = await fetch(`${app.base}/link`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'user_code=BCDF-GHJK' });
    last = response.status;
    assert.ok(last < 500);
    if (last === 429) assert.ok(Number(response.headers.get('retry-after')) > 0);
  }
  assert.equal(last, 429);
});

test('no Content Security Policy violation nor script error', () => {
  assert.deepEqual(cspViolations, []);
  assert.deepEqual(pageErrors, []);
});
