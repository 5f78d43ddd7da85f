import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateSync } from 'otplib';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';
import { joinVerified } from '../helpers/members.ts';
import { buildTestApp, type TestApp } from '../helpers/test-app.ts';
import { freePort } from '../helpers/node-process.ts';

/**
 * Second factors through the real pages in Chromium, with the DevTools virtual authenticator as the
 * member's passkey: register a passkey, sign in with it without a password, and as the second step
 * after the password; set up an authenticator app and sign in with its code; rename and remove.
 * WebAuthn needs a domain as relying party id, so the app's public URL is http://localhost:<port>.
 */

const member = { displayName: 'Pia Passkey', email: 'pia.passkey@example.com', birthDate: '1994-03-08', password: 'pia has a long passphrase' };


let t: TestApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cdp: CDPSession;
let authenticatorId: string;
let base: string;
const consoleErrors: string[] = [];
const pageErrors: string[] = [];

before(async () => {
  const port = await freePort();
  base = `http://localhost:${port}`;
  t = await buildTestApp({ env: { PLAYERPASS_PUBLIC_URL: base } });
  await t.app.listen({ port, host: '127.0.0.1' });
  await joinVerified(t, member);
  browser = await launchBrowser();
  context = await browser.newContext({ baseURL: base });
  context.setDefaultTimeout(8000);
  page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) consoleErrors.push(`${message.location().url}: ${message.text()}`);
  });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  }));
});

after(async () => {
  await browser?.close();
  await t?.close();
});

const at = (path: string) => (url: URL) => url.pathname === path;
const heading = async () => ((await page.getByRole('heading', { level: 1 }).textContent()) ?? '').trim();

async function signOut(): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(at('/sign-in'));
}

async function passwordStep(): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email address', { exact: true }).fill(member.email);
  await page.getByLabel('Password', { exact: true }).fill(member.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function signedInAs(): Promise<void> {
  await page.waitForURL(at('/account'));
  assert.match((await page.getByRole('navigation', { name: 'Main' }).textContent()) ?? '', new RegExp(`Signed in as\\s+${member.displayName}`));
}

test('sign in with the password, then register a passkey on /account/security: recovery codes shown once', async () => {
  await passwordStep();
  await signedInAs();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security' }).click();
  await page.waitForURL(at('/account/security'));
  assert.equal(await heading(), 'Sign-in security');
  assert.match((await page.locator('main').textContent()) ?? '', /Two-step sign-in is off/);

  await page.getByLabel('Name for the new passkey').fill('Test laptop');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your recovery codes' }).waitFor();
  const codes = await page.getByRole('list', { name: 'Recovery codes' }).locator('li').allTextContents();
  assert.equal(codes.length, 10);

  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.equal(credentials.length, 1);
  assert.equal(credentials[0]!.isResidentCredential, true, 'a discoverable credential, for passwordless sign-in');

  await page.getByRole('link', { name: 'I have saved them' }).click();
  await page.waitForURL(at('/account/security'));
  assert.match((await page.locator('main').textContent()) ?? '', /Two-step sign-in is on/);
  assert.equal(await page.locator('table.passkeys tbody tr').count(), 1);
  assert.match((await page.locator('table.passkeys tbody tr').textContent()) ?? '', /Test laptop/);
  await t.deliverMail();
  await t.smtp.waitForMail((m) => m.to.includes(member.email) && /passkey \("Test laptop"\) was added/.test(m.text));
});

test('passwordless: "Sign in with a passkey" on /sign-in', async () => {
  await signOut();
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await signedInAs();
  const audit = await t.services.database.db.selectFrom('audit_events').select('data').where('type', '=', 'sign_in.succeeded').orderBy('seq', 'desc').executeTakeFirstOrThrow();
  assert.equal(JSON.parse(audit.data).method, 'passkey');
});

test('the password alone no longer signs in: the second step takes the passkey', async () => {
  await signOut();
  await passwordStep();
  await page.getByRole('heading', { level: 1, name: 'Second step' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/sign-in');
  assert.equal((await context.cookies(base)).find((c) => c.name === 'pp_session'), undefined, 'no session after the password alone');
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await signedInAs();
  const audit = await t.services.database.db.selectFrom('audit_events').select('data').where('type', '=', 'sign_in.succeeded').orderBy('seq', 'desc').executeTakeFirstOrThrow();
  assert.equal(JSON.parse(audit.data).method, 'password+passkey');

  const stored = await t.services.database.db.selectFrom('passkeys').select(['counter', 'last_used_at']).executeTakeFirstOrThrow();
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.equal(Number(stored.counter), credentials[0]!.signCount, 'the signature counter is tracked');
  assert.ok(Number(stored.counter) >= 2);
  assert.ok(stored.last_used_at);
});

test('an authenticator app through the pages, then the second step with its code', async () => {
  await page.goto('/account/security');
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await page.getByRole('heading', { level: 1, name: 'Set up your authenticator app' }).waitFor();
  const qr = page.getByRole('img', { name: /QR code/ });
  assert.match((await qr.getAttribute('src')) ?? '', /^data:image\/svg\+xml;base64,/);
  assert.ok(((await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)) as number) > 0, 'the QR code renders');
  const secret = ((await page.locator('[data-secret]').textContent()) ?? '').replace(/\s/g, '');
  assert.match(secret, /^[A-Z2-7]{32}$/);

  await page.getByLabel('Code from the app').fill('000000' === generateSync({ secret, epoch: Math.floor(t.clock.now() / 1000) }) ? '111111' : '000000');
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.getByText('That code is not right.').waitFor();
  await page.getByLabel('Code from the app').fill(generateSync({ secret, epoch: Math.floor(t.clock.now() / 1000) }));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.waitForURL((url) => url.pathname === '/account/security' && url.searchParams.get('done') === 'totp');
  assert.equal((await page.getByRole('status').textContent())?.trim(), 'Your authenticator app is on.');

  await signOut();
  t.clock.advance(30_000);
  await passwordStep();
  await page.getByRole('heading', { level: 1, name: 'Second step' }).waitFor();
  await page.getByLabel(/Code from your authenticator app/).fill(generateSync({ secret, epoch: Math.floor(t.clock.now() / 1000) }));
  await page.getByRole('button', { name: 'Continue' }).click();
  await signedInAs();
});

test('rename a passkey; removing one after 10 minutes asks for the password first', async () => {
  await page.goto('/account/security');
  await page.getByLabel('New name for Test laptop').fill('Old laptop');
  await page.getByRole('button', { name: 'Rename' }).click();
  await page.waitForURL((url) => url.searchParams.get('done') === 'passkey_renamed');
  assert.match((await page.locator('table.passkeys').textContent()) ?? '', /Old laptop/);

  t.clock.advance(11 * 60_000);
  await page.goto('/account/security');
  assert.equal(await page.getByRole('button', { name: 'Remove Old laptop' }).count(), 0, 'no removing without a recent sign-in');
  await page.getByLabel('Password', { exact: true }).fill(member.password);
  await page.getByRole('button', { name: 'Confirm password' }).click();
  await page.waitForURL((url) => url.searchParams.get('done') === 'confirmed');
  await page.getByRole('button', { name: 'Remove Old laptop' }).click();
  await page.waitForURL((url) => url.searchParams.get('done') === 'passkey_removed');
  assert.equal(await page.locator('table.passkeys').count(), 0);
  await t.deliverMail();
  await t.smtp.waitForMail((m) => m.to.includes(member.email) && /"Old laptop" was removed/.test(m.text));
});

test('no Content Security Policy violation and no script error during the whole run', () => {
  assert.deepEqual(pageErrors, []);
  // The one expected error: the wrong first code answers 400.
  const unexpected = consoleErrors.filter((e) => !/favicon\.ico/.test(e) && !/account\/security\/totp\/confirm: .*status of 400/.test(e));
  assert.deepEqual(unexpected, []);
});
