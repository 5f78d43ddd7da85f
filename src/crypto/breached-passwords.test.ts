import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, mock, test } from 'node:test';
import { createBreachedPasswordCheck } from './breached-passwords.ts';

const sha1 = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex').toUpperCase();

interface Warning {
  obj: object;
  msg: string;
}

function recordingLog() {
  const warnings: Warning[] = [];
  return { warnings, log: { warn: (obj: object, msg: string) => void warnings.push({ obj, msg }) } };
}

/**
 * A stand-in for Have I Been Pwned's Pwned Passwords range API, which cannot be reached from the
 * tests: GET /range/<5 hex> answers `SUFFIX:COUNT` lines (CRLF), with decoy lines of count 0 when
 * asked for padding, as the real service does.
 */
function startRangeService(breached: Record<string, number>, padded: string[]) {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    const match = /^\/range\/([0-9A-F]{5})$/.exec(req.url ?? '');
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const prefix = match[1] as string;
    const lines: string[] = [];
    for (const [password, count] of Object.entries(breached)) {
      const hash = sha1(password);
      if (hash.startsWith(prefix)) lines.push(`${hash.slice(5)}:${count}`);
    }
    if (req.headers['add-padding'] === 'true') {
      for (const password of padded) {
        const hash = sha1(password);
        if (hash.startsWith(prefix)) lines.push(`${hash.slice(5)}:0`);
      }
      // Unrelated decoys, as padding adds many lines that match nothing.
      for (let i = 0; i < 20; i++) lines.push(`${i.toString(16).toUpperCase().padStart(35, '0')}:0`);
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end(lines.join('\r\n'));
  });
  return { server, requests };
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('breached password range check', () => {
  const { server, requests } = startRangeService({ 'hunter2-breached': 1234, 'found-once': 1 }, ['only-in-padding']);
  let base = '';

  before(async () => {
    base = await listen(server);
  });
  after(() => close(server));

  test('a breached password is found', async () => {
    const { log, warnings } = recordingLog();
    const check = createBreachedPasswordCheck({ url: `${base}/range/`, timeoutMs: 2000, log });
    assert.equal(await check.isBreached('hunter2-breached'), true);
    assert.equal(await check.isBreached('found-once'), true);
    assert.equal(await check.isBreached('a fresh phrase nobody has leaked'), false);
    assert.deepEqual(warnings, []);
  });

  test('padding entries with count 0 are not matches', async () => {
    const { log } = recordingLog();
    const check = createBreachedPasswordCheck({ url: `${base}/range/`, timeoutMs: 2000, log });
    assert.equal(await check.isBreached('only-in-padding'), false);
  });

  test('the request carries only the 5-character hash prefix, and asks for padding', async () => {
    const { log } = recordingLog();
    const check = createBreachedPasswordCheck({ url: `${base}/range/`, timeoutMs: 2000, log });
    const password = 'what the server may see';
    requests.length = 0;
    await check.isBreached(password);
    assert.equal(requests.length, 1);
    const request = requests[0] as IncomingMessage;
    assert.equal(request.method, 'GET');
    assert.equal(request.url, `/range/${sha1(password).slice(0, 5)}`);
    assert.equal(request.headers['add-padding'], 'true');
    const seen = JSON.stringify({ url: request.url, headers: request.headers });
    assert.ok(!seen.includes(password));
    assert.ok(!seen.includes(sha1(password).slice(5)), 'the suffix never leaves the process');
  });

  test('a non-200 answer counts as not breached and logs a warning', async () => {
    const { log, warnings } = recordingLog();
    const check = createBreachedPasswordCheck({ url: `${base}/elsewhere/`, timeoutMs: 2000, log });
    assert.equal(await check.isBreached('hunter2-breached'), false);
    assert.equal(warnings.length, 1);
    assert.deepEqual((warnings[0] as Warning).obj, { event: 'breached_password_check_unavailable', status: 404 });
  });
});

describe('breached password range check when the service fails', () => {
  const password = 'hunter2-breached';
  const prefix = sha1(password).slice(0, 5);
  const assertNothingSecretLogged = (warnings: Warning[]) => {
    const logged = JSON.stringify(warnings);
    assert.ok(!logged.includes(password), 'no password in the log');
    assert.ok(!logged.includes(prefix), 'no hash prefix in the log');
  };

  test('a service that is down: not breached, warning logged', async () => {
    const closed = createServer();
    const base = await listen(closed);
    await close(closed);
    const { log, warnings } = recordingLog();
    const check = createBreachedPasswordCheck({ url: `${base}/range/`, timeoutMs: 2000, log });
    assert.equal(await check.isBreached(password), false);
    assert.equal(warnings.length, 1);
    assert.equal((warnings[0] as Warning & { obj: { event: string } }).obj.event, 'breached_password_check_unavailable');
    assertNothingSecretLogged(warnings);
  });

  test('a service slower than the timeout: not breached, warning logged', async () => {
    const slow = createServer((_req, res) => {
      const timer = setTimeout(() => res.end(`${sha1(password).slice(5)}:99`), 2000);
      res.on('close', () => clearTimeout(timer));
    });
    const base = await listen(slow);
    try {
      const { log, warnings } = recordingLog();
      const check = createBreachedPasswordCheck({ url: `${base}/range/`, timeoutMs: 100, log });
      const started = performance.now();
      assert.equal(await check.isBreached(password), false);
      assert.ok(performance.now() - started < 1500, 'gave up at the timeout, not when the server answered');
      assert.equal(warnings.length, 1);
      assert.match(JSON.stringify(warnings[0]), /TimeoutError/);
      assertNothingSecretLogged(warnings);
    } finally {
      await close(slow);
    }
  });

  test('off when no URL is configured: nothing is requested', async () => {
    const fetchSpy = mock.method(globalThis, 'fetch');
    try {
      const { log, warnings } = recordingLog();
      const check = createBreachedPasswordCheck({ url: undefined, timeoutMs: 2000, log });
      assert.equal(await check.isBreached(password), false);
      assert.equal(fetchSpy.mock.callCount(), 0);
      assert.deepEqual(warnings, []);
    } finally {
      fetchSpy.mock.restore();
    }
  });
});
