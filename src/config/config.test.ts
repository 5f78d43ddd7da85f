import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ConfigError, loadConfig } from './load.ts';

function configFile(t: TestContext, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'playerpass-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'playerpass.json');
  writeFileSync(path, content);
  return path;
}

test('defaults', () => {
  const config = loadConfig({});
  assert.equal(config.port, 3000);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.publicUrl, 'http://localhost:3000');
  assert.equal(config.dataDir, './data');
  assert.equal(config.keyFile, './data/keys/playerpass-keys.json');
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.redisUrl, undefined);
  assert.equal(config.smtpUrl, undefined);
  assert.equal(config.keys, undefined);
  assert.equal(config.mailFrom, 'playerpass@localhost');
  assert.equal(config.trustProxy, false);
  assert.deepEqual(config.argon2, { memoryKiB: 19456, iterations: 2, parallelism: 1 });
  assert.equal(config.sessionIdleMinutes, 60);
  assert.equal(config.sessionMaxHours, 168);
  assert.equal(config.verifyTokenHours, 24);
  assert.equal(config.resetTokenMinutes, 30);
  assert.equal(config.emailChangeTokenHours, 24);
});

test('the public URL follows the port and the key file follows the data dir', () => {
  const config = loadConfig({ PLAYERPASS_PORT: '8080', PLAYERPASS_DATA_DIR: '/srv/pp' });
  assert.equal(config.port, 8080);
  assert.equal(config.publicUrl, 'http://localhost:8080');
  assert.equal(config.keyFile, '/srv/pp/keys/playerpass-keys.json');
  assert.equal(loadConfig({ PLAYERPASS_PUBLIC_URL: 'https://id.example.com/' }).publicUrl, 'https://id.example.com', 'trailing slash dropped');
});

test('variables outside the PLAYERPASS_ prefix are ignored', () => {
  assert.equal(loadConfig({ PORT: '9999', HOME: '/root', PATH: '/bin' }).port, 3000);
});

test('an unknown PLAYERPASS_ variable is refused, naming it', () => {
  assert.throws(() => loadConfig({ PLAYERPASS_PROT: '3000' }), (error: unknown) => error instanceof ConfigError && /PLAYERPASS_PROT/.test(error.message));
  assert.throws(() => loadConfig({ PLAYERPASS_SESSION_IDLE_MINUTE: '5' }), ConfigError);
});

test('bad values are refused with ConfigError', () => {
  const bad: Record<string, string> = {
    PLAYERPASS_PORT: 'abc',
    PLAYERPASS_ARGON2_ITERATIONS: '0',
    PLAYERPASS_SESSION_IDLE_MINUTES: '1.5',
    PLAYERPASS_HASH_CONCURRENCY: '-1',
    PLAYERPASS_TRUST_PROXY: 'maybe',
    PLAYERPASS_PUBLIC_URL: 'ftp://example.com',
    PLAYERPASS_DATABASE_URL: 'mysql://localhost/db',
    PLAYERPASS_SMTP_URL: 'not a url',
  };
  for (const [name, value] of Object.entries(bad)) {
    assert.throws(() => loadConfig({ [name]: value }), ConfigError, `${name}=${value}`);
  }
  for (const port of ['70000', '65536', '-1', '', ' ', '3000abc', '0x50', '1e3']) {
    assert.throws(() => loadConfig({ PLAYERPASS_PORT: port }), ConfigError, `PLAYERPASS_PORT=${JSON.stringify(port)}`);
  }
  assert.equal(loadConfig({ PLAYERPASS_PORT: ' 4000 ' }).port, 4000, 'surrounding spaces are trimmed');
  assert.throws(() => loadConfig({ PLAYERPASS_ARGON2_MEMORY_KIB: '64', PLAYERPASS_ARGON2_PARALLELISM: '16' }), ConfigError);
});

test('a PLAYERPASS_CONFIG file supplies values, and the environment overrides it', (t) => {
  const path = configFile(t, JSON.stringify({ PLAYERPASS_PORT: 4000, PLAYERPASS_MAIL_FROM: 'accounts@example.com', PLAYERPASS_TRUST_PROXY: true }));
  const fromFile = loadConfig({ PLAYERPASS_CONFIG: path });
  assert.equal(fromFile.port, 4000);
  assert.equal(fromFile.publicUrl, 'http://localhost:4000');
  assert.equal(fromFile.mailFrom, 'accounts@example.com');
  assert.equal(fromFile.trustProxy, true);

  const overridden = loadConfig({ PLAYERPASS_CONFIG: path, PLAYERPASS_PORT: '5000' });
  assert.equal(overridden.port, 5000);
  assert.equal(overridden.mailFrom, 'accounts@example.com');
});

test('a PLAYERPASS_CONFIG file with an unknown key, bad JSON, a non-object or a missing file is refused', (t) => {
  assert.throws(() => loadConfig({ PLAYERPASS_CONFIG: configFile(t, JSON.stringify({ PLAYERPASS_POTR: 1 })) }), /PLAYERPASS_POTR/);
  assert.throws(() => loadConfig({ PLAYERPASS_CONFIG: configFile(t, '{"PLAYERPASS_PORT": ') }), ConfigError);
  assert.throws(() => loadConfig({ PLAYERPASS_CONFIG: configFile(t, '[1, 2]') }), ConfigError);
  assert.throws(() => loadConfig({ PLAYERPASS_CONFIG: configFile(t, JSON.stringify({ PLAYERPASS_PORT: 'eighty' })) }), ConfigError);
  assert.throws(() => loadConfig({ PLAYERPASS_CONFIG: join(tmpdir(), 'playerpass-no-such-file.json') }), ConfigError);
});

test('the result is frozen, nested settings too', () => {
  const config = loadConfig({});
  assert.equal(Object.isFrozen(config), true);
  assert.equal(Object.isFrozen(config.argon2), true);
  assert.throws(() => {
    (config as { port: number }).port = 1;
  }, TypeError);
  assert.throws(() => {
    (config.argon2 as { iterations: number }).iterations = 1;
  }, TypeError);
  assert.equal(config.port, 3000);
});
