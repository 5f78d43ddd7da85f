import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { newKeyringJson } from '../../src/crypto/keyring.ts';
import { createLogger } from '../../src/logger.ts';
import type { CapabilityName } from '../../src/ops/maintenance/capabilities.ts';
import { buildServices, type Services } from '../../src/services.ts';
import { createTempDatabase } from '../helpers/postgres.ts';

const REDIS_URL = 'redis://127.0.0.1:6379/6';
const ADMIN_TOKEN = 'two-nodes-admin-token-0123456789-abcdef';
const keys = newKeyringJson();
const dataDir = mkdtempSync(join(tmpdir(), 'playerpass-two-nodes-'));
let pg: Awaited<ReturnType<typeof createTempDatabase>>;

interface Node {
  app: FastifyInstance;
  services: Services;
  close(): Promise<void>;
}

/** One node of a deployment: its own services and app, on the shared PostgreSQL (and Redis when given). */
async function startNode(name: string, redis: boolean): Promise<Node> {
  const config = loadConfig({
    PLAYERPASS_DATA_DIR: join(dataDir, name),
    PLAYERPASS_DATABASE_URL: pg.url,
    PLAYERPASS_KEYS: keys,
    PLAYERPASS_ADMIN_TOKEN: ADMIN_TOKEN,
    PLAYERPASS_ARGON2_MEMORY_KIB: '1024',
    PLAYERPASS_ARGON2_ITERATIONS: '1',
    PLAYERPASS_LOG_LEVEL: 'silent',
    ...(redis ? { PLAYERPASS_REDIS_URL: REDIS_URL } : {}),
  });
  const services = await buildServices(config, { logger: createLogger('silent') });
  const app = await buildApp(services);
  return {
    app,
    services,
    async close() {
      await app.close();
      await services.close();
    },
  };
}

async function setSwitch(node: Node, name: CapabilityName, state: 'on' | 'off' | 'read_only', message?: string): Promise<void> {
  const response = await node.app.inject({
    method: 'PUT',
    url: `/api/v1/admin/capabilities/${name}`,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    payload: { state, ...(message ? { message } : {}) },
  });
  assert.equal(response.statusCode, 200, response.body);
}

/** Polls until `check` holds; fails past `failAfterMs`. Returns how long it took. */
async function within(failAfterMs: number, what: string, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > failAfterMs) assert.fail(`${what} not within ${failAfterMs} ms`);
    await sleep(20);
  }
}

/** What node B does with each capability while it is off: a page that shows the message, or the status. */
const refusedOn = async (node: Node, name: CapabilityName): Promise<boolean> => {
  const pages: Partial<Record<CapabilityName, string>> = { join: '/join', sign_in: '/sign-in', password_reset: '/forgot' };
  const url = pages[name];
  if (url) return (await node.app.inject({ method: 'GET', url })).statusCode === 503;
  const status = await node.app.inject({ method: 'GET', url: '/api/v1/status' });
  return status.json().capabilities[name] !== 'on';
};

before(async () => {
  pg = await createTempDatabase();
  const redis = new Redis(REDIS_URL);
  await redis.flushdb();
  redis.disconnect();
});
after(async () => {
  await pg?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('two nodes sharing Redis: a switch set on node A is enforced on node B within a second, and only that one', async () => {
  const a = await startNode('a', true);
  const b = await startNode('b', true);
  try {
    for (const name of ['join', 'sign_in', 'password_reset', 'profile_changes', 'oidc'] as const) {
      const message = `${name} is paused on every node.`;
      await setSwitch(a, name, 'off', message);
      const took = await within(1500, `${name} off on node B`, () => refusedOn(b, name));
      assert.ok(took < 1000, `${name} reached node B in ${took} ms`);
      const status = (await b.app.inject({ method: 'GET', url: '/api/v1/status' })).json();
      assert.deepEqual(
        Object.entries(status.capabilities).filter(([, state]) => state !== 'on'),
        [[name, 'off']],
        'only that capability is off on node B',
      );
      assert.equal(status.message, message);
      await setSwitch(a, name, 'on');
      await within(1500, `${name} back on on node B`, async () => !(await refusedOn(b, name)));
    }

    // Node B's API refuses with the message, and the other capabilities still work there.
    await setSwitch(b, 'join', 'off', 'Joining is paused.');
    await within(1500, 'join off on node A', () => refusedOn(a, 'join'));
    const refused = await a.app.inject({
      method: 'POST',
      url: '/api/v1/members',
      payload: { displayName: 'Node Tester', email: 'node@example.com', birthDate: '1990-01-01', password: 'a long passphrase for nodes 9' },
    });
    assert.equal(refused.statusCode, 503);
    assert.equal(refused.headers['retry-after'], '300');
    assert.deepEqual(refused.json(), { error: { code: 'capability_offline', message: 'Joining is paused.' } });
    const reset = await a.app.inject({ method: 'POST', url: '/api/v1/password-resets', payload: { email: 'node@example.com' } });
    assert.equal(reset.statusCode, 202);
    assert.equal((await a.app.inject({ method: 'GET', url: '/sign-in' })).statusCode, 200);
    await setSwitch(b, 'join', 'on');
  } finally {
    await a.close();
    await b.close();
  }
});

test('two nodes without Redis: the database refresh still brings the change within about a second', async () => {
  const a = await startNode('c', false);
  const b = await startNode('d', false);
  try {
    await setSwitch(a, 'password_reset', 'off', 'Resets are paused.');
    await within(1500, 'password_reset off on node B', () => refusedOn(b, 'password_reset'));
    const page = await b.app.inject({ method: 'GET', url: '/forgot' });
    assert.ok(page.body.includes('Resets are paused.'));
    await setSwitch(a, 'password_reset', 'on');
    await within(1500, 'password_reset on on node B', async () => !(await refusedOn(b, 'password_reset')));
  } finally {
    await a.close();
    await b.close();
  }
});
