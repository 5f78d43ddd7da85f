import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { hashToken, randomId, randomToken } from '../../src/crypto/random.ts';
import { createLogger } from '../../src/logger.ts';
import { buildServices } from '../../src/services.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'playerpass-incident-cli-'));
// Exactly these settings (no PLAYERPASS_TEST_*: the service refuses unknown PLAYERPASS_* names).
const env: Record<string, string> = {
  PLAYERPASS_DATA_DIR: dataDir,
  PLAYERPASS_LOG_LEVEL: 'silent',
  PLAYERPASS_ARGON2_MEMORY_KIB: '1024',
  PLAYERPASS_ARGON2_ITERATIONS: '1',
  PLAYERPASS_MAIL_FROM: 'accounts@example.test',
};
const START = Date.parse('2026-01-01T00:00:00Z');
const ids: string[] = [];

/** 30 members, one a day from 2026-01-01; every other one with a session. */
before(async () => {
  const services = await buildServices(loadConfig(env), { logger: createLogger('silent') });
  try {
    const { store, hasher } = services.flows;
    const password = await hasher.hash('a long and unusual passphrase 42');
    await store.transaction(async (tx) => {
      for (let i = 0; i < 30; i++) {
        const id = randomId();
        ids.push(id);
        const at = START + i * 86_400_000;
        await tx.members.insert({ id, displayName: `Player ${i}`, email: `player${i}@example.test`, birthDate: '1990-01-01', status: 'active', emailVerified: true, mustReset: false, canary: false, failedSignIns: 0, createdAt: at, updatedAt: at }, password);
        if (i % 2 === 0) await tx.sessions.create({ id: randomId(), tokenHash: hashToken(randomToken()), memberId: id, device: null, ipPrefix: null, amr: ['pwd'], now: at, expiresAt: Date.now() + 86_400_000 });
      }
    });
  } finally {
    await services.close();
  }
});

after(() => rmSync(dataDir, { recursive: true, force: true }));

function cli(...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['src/cli/main.ts', 'incident', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dataDir, USER: 'ops-test', ...env },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

test('incident open prints the id and the counts per data category; the steps and the report follow', { timeout: 120_000 }, async () => {
  const opened = await cli('open', '--title', 'Backup exposed', '--window', '2026-02-01..2026-02-03T12:00Z', '--data', 'names,emails,password_hashes', '--scope', 'created-before:2026-01-21', '--contact', 'privacy@example.test');
  assert.equal(opened.code, 0, opened.out);
  const id = /incident (\S+) opened: Backup exposed/.exec(opened.out)?.[1];
  assert.ok(id, opened.out);
  assert.match(opened.out, /scope: members created before 2026-01-21T00:00:00\.000Z: 20 members/);
  assert.match(opened.out, /names +20 +display names/);
  assert.match(opened.out, /emails +20 +email addresses/);
  assert.match(opened.out, /password_hashes +20 +password hashes/);
  assert.doesNotMatch(opened.out, /birthdates/);

  const dry = await cli('revoke-sessions', id, '--dry-run');
  assert.equal(dry.code, 0, dry.out);
  assert.match(dry.out, /dry run: would do 20 members, 10 sessions; nothing was changed/);

  const notified = await cli('notify', id, '--send');
  assert.equal(notified.code, 0, notified.out);
  assert.match(notified.out, /queuing notices: done for 20 members, 20 notices; 0 remaining/);
  assert.match(notified.out, /sent 20 of 20 notices; 0 waiting for a retry, 0 undeliverable/);
  assert.equal(readdirSync(join(dataDir, 'mail')).length, 20);

  const report = await cli('report', id);
  assert.equal(report.code, 0, report.out);
  for (const line of ['Title:              Backup exposed', 'Opened:', 'by ops-test', 'Incident window:    2026-02-01T00:00:00Z to 2026-02-03T12:00:00Z', 'Affected members:   20', 'sessions revoked:            0 of 20 members', 'notified (notice queued):    20 of 20 members', 'Notification mails:  20 sent']) {
    assert.ok(report.out.includes(line), `${line}\n${report.out}`);
  }
});

test('an id list scope reads the file; bad input is refused with the usage', { timeout: 60_000 }, async () => {
  const file = join(dataDir, 'ids.txt');
  writeFileSync(file, `# affected\n${ids.slice(0, 5).join('\n')}\n\nnot-a-member\n${ids[0]}\n`);
  const opened = await cli('open', '--title', 'Support tool leak', '--window', '2026-02-01..2026-02-02', '--data', 'emails', '--scope', `ids:${file}`);
  assert.equal(opened.code, 0, opened.out);
  assert.match(opened.out, /emails +5 +email addresses/);

  const bad = await cli('open', '--title', 'x', '--window', '2026-02-03..2026-02-01', '--data', 'emails');
  assert.equal(bad.code, 1);
  assert.match(bad.out, /the window ends before it starts/);
  const usage = await cli('notify');
  assert.equal(usage.code, 2);
  assert.match(usage.out, /notify needs the incident id/);
});
