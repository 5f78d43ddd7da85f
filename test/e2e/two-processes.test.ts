import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/load.ts';
import { newKeyringJson } from '../../src/crypto/keyring.ts';
import { randomId } from '../../src/crypto/random.ts';
import { createLogger } from '../../src/logger.ts';
import { buildServices } from '../../src/services.ts';
import { startNode, type NodeProcess } from '../helpers/node-process.ts';
import { createTempDatabase } from '../helpers/postgres.ts';

/**
 * Two `playerpass serve` processes on one PostgreSQL and one Redis, as two nodes behind a load
 * balancer: a session made on one works on the other, its revocation on one holds on the other
 * within a second (each keeps a session cache), and a switch flipped on one applies on both.
 */
const REDIS_URL = 'redis://127.0.0.1:6379/7';
const ADMIN_TOKEN = 'two-processes-admin-token-0123456789';
const member = { email: 'nia.nodes@example.com', password: 'nia signs in on any node' };
let pg: Awaited<ReturnType<typeof createTempDatabase>>;
let dataDir: string;
let a: NodeProcess;
let b: NodeProcess;

before(async () => {
  pg = await createTempDatabase();
  const redis = new Redis(REDIS_URL);
  await redis.flushdb();
  redis.disconnect();
  dataDir = mkdtempSync(join(tmpdir(), 'playerpass-two-processes-'));
  const env: Record<string, string> = {
    PLAYERPASS_DATABASE_URL: pg.url,
    PLAYERPASS_REDIS_URL: REDIS_URL,
    PLAYERPASS_KEYS: newKeyringJson(),
    PLAYERPASS_ADMIN_TOKEN: ADMIN_TOKEN,
    PLAYERPASS_ARGON2_MEMORY_KIB: '1024',
    PLAYERPASS_ARGON2_ITERATIONS: '1',
    PLAYERPASS_LOG_LEVEL: 'warn',
    PLAYERPASS_DATA_DIR: dataDir,
  };
  // Migrates the database and seeds the member before the nodes start.
  const services = await buildServices(loadConfig(env), { logger: createLogger('silent') });
  const now = Date.now();
  const { store, hasher } = services.flows;
  await store.members.insert(
    { id: randomId(), displayName: 'Nia Nodes', email: member.email, birthDate: '1994-04-04', status: 'active', emailVerified: true, mustReset: false, canary: false, failedSignIns: 0, createdAt: now, updatedAt: now },
    await hasher.hash(member.password),
  );
  await services.close();
  [a, b] = await Promise.all([startNode(env), startNode(env)]);
});
after(async () => {
  await Promise.allSettled([a?.stop(), b?.stop()]);
  await pg?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const json = { 'content-type': 'application/json' };
const me = (node: NodeProcess, token: string) => fetch(`${node.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
const signIn = (node: NodeProcess) => fetch(`${node.url}/api/v1/sessions`, { method: 'POST', headers: json, body: JSON.stringify(member) });

/** Polls until `check` holds; fails past `failAfterMs`. */
async function within(failAfterMs: number, what: string, check: () => Promise<boolean>): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > failAfterMs) assert.fail(`${what} not within ${failAfterMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a session made on one process is valid on the other; signing out on one ends it on the other within a second', async () => {
  const signedIn = await signIn(a);
  assert.equal(signedIn.status, 201);
  const { token } = (await signedIn.json()) as { token: string };
  assert.equal(await me(a, token), 200);
  assert.equal(await me(b, token), 200, 'node B knows the session (and now caches it)');

  const out = await fetch(`${a.url}/api/v1/sessions/current`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
  assert.equal(out.status, 204);
  assert.equal(await me(a, token), 401);
  await within(1_000, 'the revocation on node B', async () => (await me(b, token)) === 401);
});

test('a switch flipped on one process applies on both within a second', async () => {
  const flipped = await fetch(`${a.url}/api/v1/admin/capabilities/sign_in`, {
    method: 'PUT',
    headers: { ...json, authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ state: 'off', message: 'Sign-in is paused for maintenance.' }),
  });
  assert.equal(flipped.status, 200, await flipped.text());
  for (const node of [a, b]) {
    await within(1_000, `the switch on ${node.url}`, async () => {
      const status = (await (await fetch(`${node.url}/api/v1/status`)).json()) as { capabilities: Record<string, string> };
      return status.capabilities.sign_in === 'off';
    });
    const refused = await signIn(node);
    assert.equal(refused.status, 503);
    assert.match(await refused.text(), /Sign-in is paused for maintenance\./);
  }
});
