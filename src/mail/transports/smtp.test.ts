import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSmtpCatcher } from '../../../test/helpers/smtp-catcher.ts';
import { createSmtpTransport, describeSmtpUrl } from './smtp.ts';

const longLink = `https://id.example.test/verify?token=${'x'.repeat(120)}&next=%2Fgames%2Fstart`;

test('sends over plain SMTP (no STARTTLS offered) with a stable Message-ID, text survives quoted-printable', async (t) => {
  const catcher = await startSmtpCatcher();
  t.after(() => catcher.close());
  const transport = createSmtpTransport(catcher.url);
  t.after(() => transport.close());
  await transport.send({
    id: 'outbox-1',
    from: '"playerpass" <playerpass@example.test>',
    to: 'zoe@example.test',
    subject: 'Confirm your email address — Zoë',
    text: `Hi Zoë 日本, café = ok\n\nConfirm:\n${longLink}\n`,
    html: '<p>Hi</p>',
  });
  const mail = await catcher.waitForMail((m) => m.to.includes('zoe@example.test'));
  assert.equal(mail.subject, 'Confirm your email address — Zoë');
  assert.ok(mail.text.includes('Hi Zoë 日本, café = ok'));
  assert.equal(catcher.linkIn(mail, '/verify'), longLink);
  assert.match(mail.raw, /^Message-ID: <outbox-1@playerpass>$/im);
  assert.match(mail.raw, /multipart\/alternative/i);
  assert.match(mail.raw, /quoted-printable/i);
  assert.ok(mail.raw.includes('=\r\n'), 'the long link was split with soft line breaks');
  assert.ok(mail.raw.includes('Zo=C3=AB'), 'UTF-8 bytes were encoded');
});

test('a server that is down makes send reject', async () => {
  const catcher = await startSmtpCatcher();
  const url = catcher.url;
  await catcher.close();
  const transport = createSmtpTransport(url);
  await assert.rejects(
    transport.send({ id: 'x', from: 'a@example.test', to: 'b@example.test', subject: 's', text: 't', html: 'h' }),
    /ECONNREFUSED|connect/i,
  );
  await transport.close();
});

test('describe leaves out credentials', () => {
  assert.equal(describeSmtpUrl('smtps://user:secret@mail.example.test:465'), 'smtps://mail.example.test:465');
  assert.equal(createSmtpTransport('smtp://u:p@127.0.0.1:2525').describe, 'smtp://127.0.0.1:2525');
});
