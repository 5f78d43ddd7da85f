import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { escapeHtml, html, raw, SafeHtml } from './html.ts';
import { renderPage } from './page.ts';
import { field, fieldErrorText, form } from './form.ts';
import { launchBrowser } from '../../../test/helpers/browser.ts';

const CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
// The project compiles without the DOM lib; these are the few browser globals the in-page checks use.
interface BrowserGlobals {
  getComputedStyle(el: unknown): { backgroundColor: string; color: string; borderTopLeftRadius: string; fontWeight: string; outlineStyle: string };
  document: { activeElement: { className: string; getBoundingClientRect(): { top: number } } | null };
}

const HOSTILE = `<script>alert("x")</script>' onmouseover='x' & "`;

test('html`` escapes every interpolated value unless it is SafeHtml', () => {
  const out = html`<p title="${HOSTILE}">${HOSTILE}</p>`.value;
  assert.ok(!out.includes('<script>'));
  assert.ok(!out.includes(`"x"`));
  assert.ok(!out.includes(`' onmouseover`));
  assert.equal(
    escapeHtml(`<a href="x">'&'</a>`),
    '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
  );
  assert.equal(html`${raw('<b>ok</b>')}`.value, '<b>ok</b>');
  assert.equal(html`${html`<i>${'<'}</i>`}`.value, '<i>&lt;</i>');
  assert.equal(html`<ul>${['<a>', raw('<li>b</li>')]}</ul>`.value, '<ul>&lt;a&gt;<li>b</li></ul>');
  assert.equal(html`${null}${undefined}${false}|${0}`.value, '|0');
  const safe = html`x`;
  assert.ok(safe instanceof SafeHtml);
  assert.equal(`${safe}`, 'x');
});

test('field() wires hints and errors to the input', () => {
  const out = field({
    name: 'displayName',
    label: 'Display name',
    value: HOSTILE,
    hint: 'Between 3 and 24 characters.',
    error: 'Use at least 3 characters.',
    required: true,
    maxlength: 24,
  }).value;
  assert.match(out, /<label for="field-displayName">Display name<\/label>/);
  assert.match(out, /id="field-displayName"/);
  assert.match(out, /aria-invalid="true"/);
  assert.match(out, /aria-describedby="field-displayName-hint field-displayName-error"/);
  assert.match(out, /<p class="field-hint" id="field-displayName-hint">/);
  assert.match(out, /id="field-displayName-error"/);
  assert.match(out, / required/);
  assert.match(out, /maxlength="24"/);
  assert.ok(!out.includes('<script>'));

  const clean = field({ name: 'email', label: 'Email', type: 'email' }).value;
  assert.ok(!clean.includes('aria-invalid'));
  assert.ok(!clean.includes('aria-describedby'));

  const password = field({ name: 'password', label: 'Password', type: 'password', value: 'hunter22hunter' }).value;
  assert.ok(!password.includes('hunter22'));
  assert.ok(!password.includes('value='));

  const hidden = field({ name: 'token', label: 'Token', type: 'hidden', value: 'abc' }).value;
  assert.equal(hidden, '<input type="hidden" name="token" value="abc">');
});

test('form() carries the CSRF token and the form-level error', () => {
  const out = form({
    action: '/sign-in',
    csrfToken: 'tok"en',
    submitLabel: 'Sign in',
    fields: [field({ name: 'email', label: 'Email', type: 'email' })],
    error: 'That email or password is wrong.',
  }).value;
  assert.match(out, /<form class="form" method="post" action="\/sign-in">/);
  assert.match(out, /<input type="hidden" name="_csrf" value="tok&quot;en">/);
  assert.match(out, /role="alert">That email or password is wrong\./);
  assert.match(out, /<button type="submit" class="button">Sign in<\/button>/);
});

test('fieldErrorText() speaks plain English per field', () => {
  assert.equal(fieldErrorText('displayName', 'too_short'), 'Use at least 3 characters.');
  assert.equal(fieldErrorText('password', 'too_short'), 'Use at least 8 characters.');
  assert.equal(fieldErrorText('newPassword', 'too_short'), 'Use at least 8 characters.');
  for (const code of [
    'required', 'too_short', 'too_long', 'invalid_type', 'invalid_format', 'invalid_email', 'invalid_date',
    'before_1900', 'in_future', 'forbidden_characters', 'contains_personal_info', 'display_name_taken',
    'unknown_field', 'something_new',
  ]) {
    for (const name of ['displayName', 'email', 'password', 'birthDate', 'other']) {
      const text = fieldErrorText(name, code);
      assert.ok(text.length > 0 && !text.includes('_'), `${name}/${code}: ${text}`);
    }
  }
});

function samplePage(signedIn: boolean): string {
  return renderPage({
    title: signedIn ? 'Your account' : 'Join playerpass',
    member: signedIn ? { displayName: HOSTILE } : undefined,
    csrfToken: signedIn ? 'csrf-token-123' : undefined,
    notice: { kind: 'error', text: HOSTILE },
    body: html`<p>One account for every game.</p>`,
  });
}

test('renderPage() is a strict-CSP-safe document', () => {
  const out = samplePage(true);
  assert.ok(out.startsWith('<!doctype html>'));
  assert.match(out, /<html lang="en">/);
  assert.match(out, /<meta charset="utf-8">/);
  assert.match(out, /<meta name="viewport"/);
  assert.match(out, /<title>Your account · playerpass<\/title>/);
  assert.match(out, /<link rel="stylesheet" href="\/assets\/playerpass.css">/);
  assert.match(out, /<a class="skip-link" href="#main">/);
  assert.match(out, /<main id="main"/);
  assert.match(out, /<h1>Your account<\/h1>/);
  assert.match(out, /role="alert"/);
  assert.ok(!/\sstyle=/i.test(out), 'no style attributes');
  assert.ok(!/<style/i.test(out), 'no style elements');
  assert.ok(!/<script/i.test(out), 'no scripts');
  assert.ok(!/<[^>]*\son[a-z]+=/i.test(out), 'no event handler attributes');
  // The signed-in nav signs out through a POST form with the CSRF token.
  assert.match(
    out,
    /<form class="sign-out" method="post" action="\/sign-out">\s*<input type="hidden" name="_csrf" value="csrf-token-123">/,
  );
  assert.match(out, /href="\/account\/sessions"/);
  assert.ok(!out.includes('href="/join"'));

  const out2 = samplePage(false);
  assert.match(out2, /href="\/join"/);
  assert.match(out2, /href="\/sign-in"/);
  assert.ok(!out2.includes('/sign-out'));
  assert.ok(!out2.includes('_csrf'));
  const info = renderPage({ title: 'T', body: html``, notice: { kind: 'success', text: 'Saved.' } });
  assert.match(info, /class="notice notice-success" role="status">Saved\./);
});

test('the page renders in Chromium under the strict CSP with the stylesheet applied', async () => {
  const css = await readFile(new URL('./playerpass.css', import.meta.url));
  const body = html`${form({
    action: '/join',
    csrfToken: 'csrf-token-123',
    submitLabel: 'Create account',
    error: 'Some details need attention.',
    fields: [
      field({ name: 'email', label: 'Email address', type: 'email', autocomplete: 'email', required: true, value: 'jane@example.com' }),
      field({
        name: 'displayName',
        label: 'Display name',
        hint: 'What other players see. 3 to 24 characters.',
        error: fieldErrorText('displayName', 'too_short'),
        value: 'jo',
        required: true,
      }),
      field({ name: 'birthDate', label: 'Date of birth', type: 'date', required: true }),
      field({ name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', hint: 'At least 8 characters.', required: true }),
    ],
  })}
    <h2>Signed-in devices</h2>
    <div class="table-wrap">
      <table>
        <thead><tr><th scope="col">Device</th><th scope="col">Last seen</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          <tr><td>Firefox on Linux (this device)</td><td>Just now</td><td></td></tr>
          <tr><td>Console</td><td>2 days ago</td><td><button class="button button-secondary" type="button">End</button></td></tr>
        </tbody>
      </table>
    </div>`;
  const page = renderPage({
    title: 'Join playerpass',
    body,
    member: { displayName: 'JaneDoe' },
    csrfToken: 'csrf-token-123',
    notice: { kind: 'info', text: 'We will send you an email to confirm your address.' },
  });

  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const headers = { 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' };
    if (req.url === '/') {
      res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
    } else if (req.url === '/assets/playerpass.css') {
      res.writeHead(200, { ...headers, 'content-type': 'text/css; charset=utf-8' });
      res.end(css);
    } else {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const browser = await launchBrowser();
  try {
    const messages: string[] = [];
    const errors: string[] = [];
    const context = await browser.newContext({ viewport: { width: 900, height: 1100 }, colorScheme: 'light' });
    const tab = await context.newPage();
    tab.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
    tab.on('pageerror', (e) => errors.push(e.message));
    const response = await tab.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'load' });
    assert.equal(response?.status(), 200);

    const button = tab.locator('form.form button[type=submit]');
    const style = await button.evaluate((el) => {
      const s = (globalThis as unknown as BrowserGlobals).getComputedStyle(el);
      return { background: s.backgroundColor, color: s.color, radius: s.borderTopLeftRadius, weight: s.fontWeight };
    });
    // The browser default is a grey button with square-ish corners; ours is indigo and rounded.
    assert.equal(style.background, 'rgb(67, 56, 202)');
    assert.equal(style.color, 'rgb(255, 255, 255)');
    assert.equal(style.radius, '8px');
    const mainWidth = await tab.locator('main').evaluate((el) => el.getBoundingClientRect().width);
    assert.ok(mainWidth <= 34 * 16 + 1, `main is a card no wider than 34rem (got ${mainWidth})`);

    // Keyboard focus is visible: the first Tab lands on the skip link, which gets an outline.
    await tab.keyboard.press('Tab');
    const focus = await tab.evaluate(() => {
      const w = globalThis as unknown as BrowserGlobals;
      const el = w.document.activeElement;
      if (!el) return { cls: '', outline: '', top: -1 };
      return { cls: el.className, outline: w.getComputedStyle(el).outlineStyle, top: el.getBoundingClientRect().top };
    });
    assert.equal(focus.cls, 'skip-link');
    assert.equal(focus.outline, 'solid');
    assert.ok(focus.top >= 0, 'the skip link comes into view when focused');
    await tab.keyboard.press('Shift+Tab');

    await mkdir('.tmp', { recursive: true });
    await tab.screenshot({ path: '.tmp/layout.png', fullPage: true });
    await tab.emulateMedia({ colorScheme: 'dark' });
    await tab.screenshot({ path: '.tmp/layout-dark.png', fullPage: true });
    await tab.setViewportSize({ width: 380, height: 900 });
    await tab.emulateMedia({ colorScheme: 'light' });
    await tab.screenshot({ path: '.tmp/layout-narrow.png', fullPage: true });

    const csp = messages.filter((m) => /content security policy|refused to/i.test(m));
    assert.deepEqual(csp, [], 'no CSP violations');
    assert.deepEqual(errors, [], 'no page errors');
    // Chromium asks for /favicon.ico on its own; that 404 is the only console error allowed.
    const unexpected = requests.filter((url) => url !== '/' && url !== '/assets/playerpass.css' && url !== '/favicon.ico');
    assert.deepEqual(unexpected, [], 'no other requests');
    const notFound = messages.filter((m) => m.startsWith('error') && m.includes('404')).length;
    assert.ok(notFound <= (requests.includes('/favicon.ico') ? 1 : 0));
    assert.deepEqual(messages.filter((m) => m.startsWith('error') && !m.includes('404')), [], 'no console errors');
    assert.ok(requests.includes('/assets/playerpass.css'));
    await context.close();
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
