import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderMail } from '../templates/index.ts';
import { createFileTransport } from './file.ts';

test('writes an .eml file (0600 in a 0700 directory) and logs the links but not the recipient', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'playerpass-mail-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'data', 'mail');
  const lines: string[] = [];
  const transport = createFileTransport(dir, (line) => lines.push(line));
  const link = 'http://localhost:3000/verify?token=abc123';
  const rendered = renderMail('verify_email', { displayName: 'Zoë', link }, { productName: 'playerpass', publicUrl: 'http://localhost:3000' });
  await transport.send({ id: 'outbox-7', from: 'playerpass@localhost', to: 'zoe@example.test', ...rendered });
  await transport.close();

  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const files = readdirSync(dir);
  assert.equal(files.length, 1);
  const file = files[0]!;
  assert.match(file, /^\d{8}T\d{9}Z-outbox-7\.eml$/);
  assert.equal(statSync(join(dir, file)).mode & 0o777, 0o600);
  const eml = readFileSync(join(dir, file), 'utf8');
  assert.match(eml, /^Subject: Confirm your email address for playerpass\r$/m);
  assert.match(eml, /^Message-ID: <outbox-7@playerpass>\r$/m);
  assert.match(eml, /^To: zoe@example\.test\r$/m);

  assert.equal(lines.length, 1);
  assert.ok(lines[0]!.includes(file));
  assert.ok(lines[0]!.includes(link));
  assert.ok(!lines[0]!.includes('zoe@example.test'));
  assert.ok(!lines[0]!.includes('zoe'));
});
