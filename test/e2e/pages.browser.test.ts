import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';
import type { CaughtMail } from '../helpers/smtp-catcher.ts';
import { buildTestApp, type TestApp } from '../helpers/test-app.ts';
import { freePort } from '../helpers/node-process.ts';

/**
 * The server-rendered pages in a real Chromium, through the HTML forms only: join → verify → sign in →
 * change the display name (and fail to) → sessions → sign out → forgot/reset password → sign in again.
 * The whole run must not trip the Content Security Policy.
 */

const SCREENSHOT = fileURLToPath(new URL('../../.tmp/account.png', import.meta.url));

const member = {
  displayName: 'Nova Browser',
  email: 'nova.browser@example.com',
  birthDate: '1993-05-17',
  password: 'first passphrase for nova',
};
const renamed = 'Nova Renamed';
const newPassword = 'second passphrase for nova';


interface ConsoleEntry {
  type: string;
  text: string;
  url: string;
}

let t: TestApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let base: string;
const consoleEntries: ConsoleEntry[] = [];
const pageErrors: string[] = [];

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await buildTestApp({ env: { PLAYERPASS_PUBLIC_URL: base } });
  await t.app.listen({ port, host: '127.0.0.1' });
  browser = await launchBrowser();
  context = await browser.newContext({ baseURL: base, viewport: { width: 1024, height: 900 }, colorScheme: 'light' });
  context.setDefaultTimeout(5000);
  context.setDefaultNavigationTimeout(5000);
  page = await context.newPage();
  page.on('console', (message) => consoleEntries.push({ type: message.type(), text: message.text(), url: message.location().url }));
  page.on('pageerror', (error) => pageErrors.push(String(error)));
});

after(async () => {
  await browser?.close();
  await t?.close();
});

const pathIs = (path: string) => (url: URL) => url.pathname === path;

/** Delivers the queued mail and waits for the one to `to` with a link to `path`; returns that link. */
async function mailedLink(to: string, path: string): Promise<string> {
  const hasLink = (mail: CaughtMail) => {
    try {
      t.smtp.linkIn(mail, path);
      return true;
    } catch {
      return false;
    }
  };
  await t.deliverMail();
  const mail = await t.smtp.waitForMail((m) => m.to.includes(to) && hasLink(m));
  const link = t.smtp.linkIn(mail, path);
  assert.equal(new URL(link).origin, base, 'mailed links point at the public URL');
  return link;
}

async function heading(): Promise<string> {
  return (await page.getByRole('heading', { level: 1 }).textContent())?.trim() ?? '';
}

/** The member as stored, through the JSON API with the browser's session token as bearer token. */
async function meViaApi(): Promise<{ displayName: string; email: string; emailVerified: boolean; birthDate: string }> {
  const cookie = (await context.cookies(base)).find((c) => c.name === 'pp_session');
  assert.ok(cookie, 'the browser holds a session cookie');
  assert.equal(cookie.httpOnly, true);
  const response = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${cookie.value}` } });
  assert.equal(response.status, 200);
  return (await response.json()) as { displayName: string; email: string; emailVerified: boolean; birthDate: string };
}

async function signInWith(password: string): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email address', { exact: true }).fill(member.email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

test('join → check your email → open the mailed /verify link → confirm', async () => {
  await page.goto('/join');
  assert.equal(await heading(), 'Join playerpass');
  // The stylesheet loaded (CSP allows 'self'): the page is not in browser defaults.
  assert.equal(await page.evaluate('getComputedStyle(document.body).backgroundColor'), 'rgb(243, 244, 248)');

  await page.getByLabel('Display name').fill(member.displayName);
  await page.getByLabel('Email address').fill(member.email);
  await page.getByLabel('Date of birth').fill(member.birthDate);
  await page.getByLabel('Password', { exact: true }).fill(member.password);
  await page.getByRole('button', { name: 'Create my account' }).click();
  await page.getByRole('heading', { level: 1, name: 'Check your email' }).waitFor();
  assert.match((await page.getByRole('status').textContent()) ?? '', /Almost there!/);

  const link = await mailedLink(member.email, '/verify');
  await page.goto(link);
  assert.equal(await heading(), 'Confirm your email address');
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await page.waitForURL((url) => url.pathname === '/verify' && url.search === '');
  assert.match((await page.getByRole('status').textContent()) ?? '', /Done\./);
  await page.getByText('Your email address is confirmed.').waitFor();
});

test('sign in → /account shows the display name', async () => {
  await signInWith(member.password);
  await page.waitForURL(pathIs('/account'));
  assert.equal(await heading(), 'Your account');
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.match((await nav.textContent()) ?? '', new RegExp(`Signed in as\\s+${member.displayName}`));
  assert.equal(await page.locator('dl.details dd').first().textContent(), member.displayName);
  assert.equal(await page.getByLabel('Display name').inputValue(), member.displayName);
  assert.equal(await page.getByLabel('Date of birth').inputValue(), member.birthDate);
});

test('change the display name → notice, new name on the page and in the store', async () => {
  await page.getByLabel('Display name').fill(renamed);
  await page.getByRole('button', { name: 'Save details' }).click();
  await page.waitForURL((url) => url.pathname === '/account' && url.searchParams.get('done') === 'details');
  assert.equal((await page.getByRole('status').textContent())?.trim(), 'Your details are saved.');
  assert.equal(await page.locator('dl.details dd').first().textContent(), renamed);
  assert.equal(await page.getByLabel('Display name').inputValue(), renamed);
  assert.match((await page.getByRole('navigation', { name: 'Main' }).textContent()) ?? '', new RegExp(`Signed in as\\s+${renamed}`));

  const me = await meViaApi();
  assert.equal(me.displayName, renamed);
  assert.equal(me.birthDate, member.birthDate);
  assert.equal(me.emailVerified, true);

  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
});

test('a too-short display name → the error next to the field, aria-invalid, nothing changed', async () => {
  await page.getByLabel('Display name').fill('ab');
  await page.getByRole('button', { name: 'Save details' }).click();
  await page.waitForURL(pathIs('/account/details'));

  const input = page.getByLabel('Display name');
  assert.equal(await input.getAttribute('aria-invalid'), 'true');
  assert.equal(await input.inputValue(), 'ab', 'the submitted value is shown again for correcting');
  const fieldBox = page.locator('.field', { has: page.locator('#field-displayName') });
  const error = fieldBox.locator('.field-error');
  assert.equal((await error.textContent())?.trim(), 'Error: Use at least 3 characters.');
  const errorId = await error.getAttribute('id');
  assert.ok(errorId);
  assert.ok((await input.getAttribute('aria-describedby'))?.split(' ').includes(errorId), 'the input is described by its error');
  assert.equal((await page.getByRole('alert').textContent())?.trim(), 'Please fix the fields marked below.');
  // The other fields of the page carry no error.
  assert.equal(await page.locator('[aria-invalid="true"]').count(), 1);

  assert.equal(await page.locator('dl.details dd').first().textContent(), renamed);
  assert.equal((await meViaApi()).displayName, renamed);
});

test('/account/sessions lists this session as "(this device)"', async () => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sessions' }).click();
  await page.waitForURL(pathIs('/account/sessions'));
  assert.equal(await heading(), 'Your sessions');
  const rows = page.locator('table tbody tr');
  assert.equal(await rows.count(), 1);
  assert.match((await rows.first().textContent()) ?? '', /\(this device\)/);
  assert.equal(await rows.first().getByRole('button', { name: 'Sign out' }).count(), 0, 'no revoke button for this session');
});

test("sign out with the nav's button → /sign-in, and /account redirects there", async () => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(pathIs('/sign-in'));
  assert.equal(await heading(), 'Sign in');
  assert.equal(await page.getByText('Signed in as').count(), 0);
  assert.equal((await context.cookies(base)).find((c) => c.name === 'pp_session'), undefined, 'the session cookie is gone');

  await page.goto('/account');
  assert.equal(new URL(page.url()).pathname, '/sign-in');
});

test('forgot password → mailed /reset link → new password; the old one fails, the new one works', async () => {
  await page.goto('/sign-in');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.waitForURL(pathIs('/forgot'));
  await page.getByLabel('Email address').fill(member.email);
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await page.getByRole('heading', { level: 1, name: 'Check your email' }).waitFor();

  const link = await mailedLink(member.email, '/reset');
  await page.goto(link);
  assert.equal(await heading(), 'Choose a new password');
  await page.getByLabel('New password').fill(newPassword);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await page.waitForURL((url) => url.pathname === '/reset' && url.search === '');
  assert.equal(await heading(), 'Password changed');
  assert.equal((await page.getByRole('status').textContent())?.trim(), 'Your password is changed.');

  await signInWith(member.password);
  const wrong = page.getByRole('alert').filter({ hasText: 'The email address or password is wrong.' });
  await wrong.waitFor();
  assert.equal(new URL(page.url()).pathname, '/sign-in');
  assert.equal(await page.getByLabel('Email address').inputValue(), member.email, 'the email is kept');
  assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '', 'the password is not echoed');

  await signInWith(newPassword);
  await page.waitForURL(pathIs('/account'));
  assert.equal(await page.locator('dl.details dd').first().textContent(), renamed);
});

test('no Content Security Policy violation (nor script error) during the whole run', () => {
  const csp = consoleEntries.filter((e) => /Content Security Policy/i.test(e.text));
  assert.deepEqual(csp, [], 'CSP violations');
  assert.deepEqual(pageErrors, []);
  // Expected failed loads: the favicon (there is none), and the two pages this run answers with an error status.
  const expected = (e: ConsoleEntry) => {
    const path = new URL(e.url, base).pathname;
    if (path === '/favicon.ico') return /status of 404\b/.test(e.text);
    if (path === '/account/details') return /status of 400\b/.test(e.text);
    if (path === '/sign-in') return /status of 401\b/.test(e.text);
    return false;
  };
  const unexpected = consoleEntries.filter((e) => e.type === 'error' && !expected(e));
  assert.deepEqual(unexpected, [], 'unexpected console errors');
});
