import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderMail, templateNames, TemplateError } from './index.ts';

const context = { productName: 'playerpass', publicUrl: 'https://id.example.test' };
const samples: Record<string, Record<string, string>> = {
  verify_email: { displayName: 'Zoë', link: 'https://id.example.test/verify?token=abc' },
  account_exists: { displayName: 'Zoë', signInLink: 'https://id.example.test/sign-in', resetLink: 'https://id.example.test/forgot' },
  reset_password: { displayName: 'Zoë', link: 'https://id.example.test/reset?token=abc' },
  password_changed: { displayName: 'Zoë', when: '3 March 2026, 14:05 UTC' },
  confirm_email_change: { displayName: 'Zoë', link: 'https://id.example.test/confirm-email?token=abc' },
  email_change_requested: { displayName: 'Zoë', newEmailHint: 'j***@e***.com' },
  email_in_use: { signInLink: 'https://id.example.test/sign-in' },
  email_changed: { displayName: 'Zoë', newEmailHint: 'j***@e***.com' },
  new_device: {
    displayName: 'Zoë',
    when: '3 March 2026, 14:05 UTC',
    network: '203.0.113.0/24',
    device: 'Mozilla/5.0 (X11; Linux x86_64)',
    notMeLink: 'https://id.example.test/not-me?token=abc',
  },
  mfa_changed: { displayName: 'Zoë', change: 'An authenticator app was added', when: '3 March 2026, 14:05 UTC' },
  recovery_code_used: { displayName: 'Zoë', when: '3 March 2026, 14:05 UTC', remaining: '9' },
  account_deleted: { displayName: 'Zoë', when: '3 March 2026, 14:05 UTC' },
  incident_notice: {
    displayName: 'Zoë',
    title: 'A copy of a database backup was exposed',
    windowFrom: 'Sun, 01 Mar 2026 00:00:00 GMT',
    windowTo: 'Thu, 05 Mar 2026 00:00:00 GMT',
    data: 'names,emails,birthdates,password_hashes',
    signedOut: 'yes',
    mustReset: 'yes',
    contact: 'privacy@example.test',
  },
};

test('every template renders a subject, a text and an html body with the footer', () => {
  assert.deepEqual([...templateNames].sort(), Object.keys(samples).sort());
  for (const [name, data] of Object.entries(samples)) {
    const mail = renderMail(name, data, context);
    assert.ok(mail.subject.length > 5 && !/[\r\n]/.test(mail.subject), name);
    assert.match(mail.text, /playerpass — this is an automated message\./, name);
    assert.match(mail.html, /playerpass — this is an automated message\./, name);
    assert.match(mail.html, /^<!doctype html>/, name);
    assert.doesNotMatch(mail.html, /<script|<img|<link|src=/i, name);
    for (const value of Object.values(data)) {
      if (/^https?:/.test(value)) {
        assert.ok(mail.text.includes(value), `${name} text has ${value}`);
        assert.ok(mail.html.includes(`href="${value}"`), `${name} html links ${value}`);
      }
    }
    if (data.displayName) assert.ok(mail.text.includes('Hi Zoë,'), name);
  }
});

test('the contents say what each mail is for', () => {
  assert.match(renderMail('verify_email', samples.verify_email!, context).text, /24 hours/);
  assert.match(renderMail('reset_password', samples.reset_password!, context).text, /30 minutes[\s\S]*unchanged|30 minutes[\s\S]*not been changed/);
  const changed = renderMail('password_changed', samples.password_changed!, context);
  assert.ok(changed.text.includes('https://id.example.test/forgot'));
  assert.ok(changed.text.includes('3 March 2026, 14:05 UTC'));
  assert.match(changed.text, /signed out/);
  assert.ok(renderMail('email_change_requested', samples.email_change_requested!, context).text.includes('j***@e***.com'));
  assert.ok(renderMail('email_changed', samples.email_changed!, context).text.includes('j***@e***.com'));
  assert.match(renderMail('email_in_use', samples.email_in_use!, context).text, /Nothing has changed/);
  assert.match(renderMail('account_exists', samples.account_exists!, context).text, /ignore/);
});

test('every value is escaped in html', () => {
  const mail = renderMail(
    'verify_email',
    { displayName: '<b>Eve</b> & "co" \'x\'', link: 'https://id.example.test/verify?a=1&b="><script>' },
    context,
  );
  assert.ok(!mail.html.includes('<b>Eve'));
  assert.ok(mail.html.includes('&#60;b&#62;Eve&#60;/b&#62; &#38; &#34;co&#34; &#39;x&#39;'));
  assert.ok(!mail.html.includes('"><script>'));
  assert.ok(mail.text.includes('Hi <b>Eve</b> & "co" \'x\','), 'text stays plain');
});

test('unknown templates, missing data and non-http links are refused', () => {
  for (const name of ['nope', 'constructor', '__proto__', 'toString']) {
    assert.throws(() => renderMail(name, {}, context), TemplateError);
  }
  assert.throws(() => renderMail('verify_email', { displayName: 'Zoë' }, context), /needs "link"/);
  assert.throws(() => renderMail('verify_email', { displayName: 'Zoë', link: 'javascript:alert(1)' }, context), TemplateError);
});
