import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkNoticeTemplate } from './incident-notice.ts';
import { renderMail, TemplateError } from './index.ts';

const context = { productName: 'playerpass', publicUrl: 'https://id.example.test' };
const data = {
  displayName: 'Zoë',
  title: 'A copy of a database backup was exposed',
  windowFrom: 'Sun, 01 Mar 2026 00:00:00 GMT',
  windowTo: 'Thu, 05 Mar 2026 00:00:00 GMT',
  data: 'emails,password_hashes',
  signedOut: 'yes',
  mustReset: 'no',
  contact: 'privacy@example.test',
};

test('the notice says what happened, what data, what we did, what to do and whom to ask', () => {
  const { text, subject } = renderMail('incident_notice', data, context);
  assert.match(subject, /security incident/);
  for (const part of [
    'A copy of a database backup was exposed',
    'Sun, 01 Mar 2026 00:00:00 GMT',
    'your email address',
    'your password hash (your password itself was never stored)',
    'signed your account out on every device',
    'https://id.example.test/forgot',
    'change it there too',
    'We will never ask you for your password',
    'privacy@example.test',
  ]) {
    assert.ok(text.includes(part), `notice mentions: ${part}`);
  }
  assert.ok(!text.includes('your date of birth') && !text.includes('your display name'), 'only the categories involved');
  assert.ok(!text.includes('require a new password'), 'only the actions taken for this member');
  assert.match(renderMail('incident_notice', { ...data, mustReset: 'yes' }, context).text, /require a new password/);
});

test('an operator text replaces the body, fills placeholders once and is escaped in html', () => {
  const textTemplate = 'Dear {{displayName}},\n\n{{title}} ({{windowFrom}} to {{windowTo}}).\nInvolved:\n{{dataInvolved}}\n\nWrite to {{ contact }}.';
  const mail = renderMail('incident_notice', { ...data, displayName: '<b>{{contact}}</b>', textTemplate }, context);
  assert.ok(mail.text.startsWith('Dear <b>{{contact}}</b>,\n\nA copy of a database backup was exposed (Sun, 01 Mar 2026'));
  assert.ok(mail.text.includes('- your email address\n- your password hash'));
  assert.ok(mail.text.includes('Write to privacy@example.test.'));
  assert.match(mail.text, /playerpass — this is an automated message\.\n$/);
  assert.ok(mail.html.includes('Dear &#60;b&#62;{{contact}}&#60;/b&#62;,'));
  assert.ok(!mail.html.includes('<b>'));
});

test('unknown placeholders and unknown categories are refused', () => {
  assert.match(checkNoticeTemplate('Hi {{name}}') ?? '', /unknown placeholder\(s\) \{\{name\}\}/);
  assert.equal(checkNoticeTemplate('Hi {{displayName}}'), undefined);
  assert.ok(checkNoticeTemplate('  \n'));
  assert.throws(() => renderMail('incident_notice', { ...data, textTemplate: '{{oops}}' }, context), TemplateError);
  assert.throws(() => renderMail('incident_notice', { ...data, data: 'emails,ssn' }, context), /unknown data category "ssn"/);
});
