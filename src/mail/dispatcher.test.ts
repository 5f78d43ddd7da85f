import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test, type TestContext } from 'node:test';
import { startSmtpCatcher } from '../../test/helpers/smtp-catcher.ts';
import { createFieldCipher } from '../crypto/field-cipher.ts';
import { keyringFromJson, newKeyringJson } from '../crypto/keyring.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { createOutboxRepository, type OutboxRepository } from '../store/outbox.ts';
import type { Tables } from '../store/tables.ts';
import { createMailDispatcher, MAX_ATTEMPTS, retryDelayMs, type MailDispatcher } from './dispatcher.ts';
import { createSmtpTransport } from './transports/smtp.ts';

const PUBLIC_URL = 'http://localhost:3000';
const RECIPIENT = 'zoe@example.test';

async function makeStore(t: TestContext): Promise<{ db: Kysely<Tables>; outbox: OutboxRepository }> {
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: new SqliteDatabase(':memory:') }) });
  t.after(() => db.destroy());
  await migrateToLatest(db);
  const cipher = createFieldCipher(keyringFromJson(newKeyringJson(), 'test keyring'));
  return { db, outbox: createOutboxRepository(db, cipher) };
}

function fakeClock(start = 1_700_000_000_000) {
  return { time: start, now() { return this.time; } };
}

function recordingLogger() {
  const entries: { level: string; obj: object; msg: string | undefined }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void entries.push({ level, obj, msg });
  return { entries, info: at('info'), warn: at('warn'), error: at('error') };
}

function dispatcherFor(
  t: TestContext,
  deps: { outbox: OutboxRepository; smtpUrl: string; clock: { now(): number }; logger: ReturnType<typeof recordingLogger>; pollMs?: number },
): MailDispatcher {
  const transport = createSmtpTransport(deps.smtpUrl);
  const dispatcher = createMailDispatcher({
    outbox: deps.outbox,
    transport,
    clock: deps.clock,
    from: 'playerpass@localhost',
    productName: 'playerpass',
    publicUrl: PUBLIC_URL,
    pollMs: deps.pollMs ?? 60_000,
    logger: deps.logger,
  });
  t.after(async () => {
    await dispatcher.stop();
    await transport.close();
  });
  return dispatcher;
}

const verifyMail = (token: string) => ({
  template: 'verify_email',
  to: RECIPIENT,
  data: { displayName: 'Zoë', link: `${PUBLIC_URL}/verify?token=${token}` },
});

function assertLogsArePrivate(logger: ReturnType<typeof recordingLogger>) {
  const logged = JSON.stringify(logger.entries);
  assert.ok(!logged.includes(RECIPIENT) && !logged.includes('zoe@'), 'no recipient in logs');
  assert.ok(!logged.includes('token='), 'no mail data in logs');
  for (const entry of logger.entries) {
    const obj = entry.obj as { outboxId?: unknown; template?: unknown };
    assert.equal(typeof obj.outboxId, 'string', 'every mail log names the outbox id');
    assert.equal(typeof obj.template, 'string', 'and the template');
  }
}

test('a queued mail arrives once at the SMTP server with the right subject and link', async (t) => {
  const catcher = await startSmtpCatcher();
  t.after(() => catcher.close());
  const { db, outbox } = await makeStore(t);
  const clock = fakeClock();
  const logger = recordingLogger();
  const dispatcher = dispatcherFor(t, { outbox, smtpUrl: catcher.url, clock, logger });

  await outbox.enqueue(verifyMail('tok-1'), clock.now());
  assert.equal(await dispatcher.drain(), 1);
  assert.equal(await dispatcher.drain(), 0);

  const mail = await catcher.waitForMail((m) => m.to.includes(RECIPIENT));
  assert.equal(mail.subject, 'Confirm your email address for playerpass');
  assert.equal(catcher.linkIn(mail, '/verify'), `${PUBLIC_URL}/verify?token=tok-1`);
  assert.match(mail.raw, /^From: "?playerpass"? <playerpass@localhost>$/im);
  const row = await db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
  assert.match(mail.raw, new RegExp(`^Message-ID: <${row.id}@playerpass>$`, 'im'));
  assert.equal(row.status, 'sent');
  assert.equal(row.sent_at, clock.now());
  assert.equal(row.payload_ct, null, 'the links are erased once sent');
  await sleep(100);
  assert.equal(catcher.mails.length, 1);
  assert.deepEqual(logger.entries.map((e) => e.msg), ['mail sent']);
  assertLogsArePrivate(logger);
});

test('with the SMTP server down the mail stays queued and is delivered once it is back and due', async (t) => {
  const probe = await startSmtpCatcher();
  const port = probe.port;
  await probe.close(); // nothing listens on this port now
  const { db, outbox } = await makeStore(t);
  const clock = fakeClock();
  const logger = recordingLogger();
  const dispatcher = dispatcherFor(t, { outbox, smtpUrl: `smtp://127.0.0.1:${port}`, clock, logger });

  await outbox.enqueue(verifyMail('tok-2'), clock.now());
  assert.equal(await dispatcher.drain(), 0);
  let row = await db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
  assert.equal(row.status, 'queued');
  assert.equal(row.attempts, 1);
  assert.equal(row.next_attempt_at, clock.now() + 5_000);
  assert.match(row.last_error ?? '', /ECONNREFUSED|connect/i);
  assert.equal(logger.entries.at(-1)?.level, 'warn');

  const catcher = await startSmtpCatcher({ port });
  t.after(() => catcher.close());
  clock.time += 4_999;
  assert.equal(await dispatcher.drain(), 0, 'not due yet');
  assert.equal(catcher.mails.length, 0);

  clock.time += 1;
  assert.equal(await dispatcher.drain(), 1);
  const mail = await catcher.waitForMail(() => true);
  assert.equal(catcher.linkIn(mail, '/verify'), `${PUBLIC_URL}/verify?token=tok-2`);
  row = await db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
  assert.equal(row.status, 'sent');
  assert.equal(row.attempts, 2);
  await sleep(100);
  assert.equal(catcher.mails.length, 1);
  assertLogsArePrivate(logger);
});

test('retries back off exponentially and the mail is abandoned after the last attempt', async (t) => {
  const probe = await startSmtpCatcher();
  await probe.close();
  const { db, outbox } = await makeStore(t);
  const clock = fakeClock();
  const logger = recordingLogger();
  const dispatcher = dispatcherFor(t, { outbox, smtpUrl: probe.url, clock, logger });
  await outbox.enqueue(verifyMail('tok-3'), clock.now());

  const delays: number[] = [];
  for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
    await dispatcher.drain();
    const row = await db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.status, 'queued');
    assert.equal(row.attempts, attempt);
    delays.push(row.next_attempt_at - clock.now());
    clock.time = row.next_attempt_at;
  }
  assert.deepEqual(delays, [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000]);
  assert.equal(retryDelayMs(12), 3_600_000, 'capped at an hour');

  await dispatcher.drain();
  const row = await db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
  assert.equal(row.status, 'abandoned');
  assert.equal(row.attempts, MAX_ATTEMPTS);
  assert.equal(row.payload_ct, null);
  assert.equal(logger.entries.at(-1)?.level, 'error');
  clock.time += 10 * 3_600_000;
  assert.equal(await dispatcher.drain(), 0);
  assert.equal((await db.selectFrom('outbox').select('attempts').executeTakeFirstOrThrow()).attempts, MAX_ATTEMPTS);
  assertLogsArePrivate(logger);
});

test('a mail with an unknown template is abandoned at once', async (t) => {
  const catcher = await startSmtpCatcher();
  t.after(() => catcher.close());
  const { db, outbox } = await makeStore(t);
  const clock = fakeClock();
  const logger = recordingLogger();
  const dispatcher = dispatcherFor(t, { outbox, smtpUrl: catcher.url, clock, logger });
  await outbox.enqueue({ template: 'no_such_template', to: RECIPIENT, data: {} }, clock.now());
  await outbox.enqueue(verifyMail('tok-4'), clock.now());

  assert.equal(await dispatcher.drain(), 1);
  const rows = await db.selectFrom('outbox').select(['template', 'status', 'attempts', 'last_error']).orderBy('template').execute();
  assert.deepEqual(
    rows.map((r) => [r.template, r.status, r.attempts]),
    [['no_such_template', 'abandoned', 1], ['verify_email', 'sent', 1]],
  );
  assert.match(rows[0]!.last_error ?? '', /unknown mail template/);
  assert.ok(logger.entries.some((e) => e.level === 'error' && (e.obj as { template?: string }).template === 'no_such_template'));
  assertLogsArePrivate(logger);
});

test('concurrent drains never send a mail twice, in one process or across two', async (t) => {
  const catcher = await startSmtpCatcher();
  t.after(() => catcher.close());
  const { outbox } = await makeStore(t);
  const clock = fakeClock();
  const logger = recordingLogger();
  const one = dispatcherFor(t, { outbox, smtpUrl: catcher.url, clock, logger });
  const other = dispatcherFor(t, { outbox, smtpUrl: catcher.url, clock, logger });
  for (let i = 0; i < 25; i++) await outbox.enqueue(verifyMail(`tok-c${i}`), clock.now());

  const counts = await Promise.all([one.drain(), one.drain(), other.drain(), one.drain()]);
  assert.equal(counts.reduce((a, b) => a + b, 0), 25);
  await sleep(200);
  const links = catcher.mails.map((m) => catcher.linkIn(m, '/verify'));
  assert.equal(links.length, 25);
  assert.equal(new Set(links).size, 25);
  assert.deepEqual(await outbox.counts(), { queued: 0, sending: 0, sent: 25, abandoned: 0 });
});

test('start polls, kick wakes it at once, stop waits and ends it', async (t) => {
  const catcher = await startSmtpCatcher();
  t.after(() => catcher.close());
  const { outbox } = await makeStore(t);
  const clock = fakeClock();
  const logger = recordingLogger();
  const dispatcher = dispatcherFor(t, { outbox, smtpUrl: catcher.url, clock, logger, pollMs: 60_000 });

  await outbox.enqueue(verifyMail('tok-boot'), clock.now());
  dispatcher.start(); // the first drain runs right away
  await catcher.waitForMail((m) => m.text.includes('tok-boot'), 2000);

  await outbox.enqueue(verifyMail('tok-kick'), clock.now());
  dispatcher.kick();
  dispatcher.kick();
  await catcher.waitForMail((m) => m.text.includes('tok-kick'), 2000);

  await dispatcher.stop();
  await outbox.enqueue(verifyMail('tok-after'), clock.now());
  dispatcher.kick(); // stopped: nothing happens
  await sleep(200);
  assert.equal(catcher.mails.length, 2);
  assert.equal(await dispatcher.drain(), 1, 'drain still works by hand');
  await sleep(100);
  assert.equal(catcher.mails.length, 3);
});

test('errors in the polling loop are logged, not thrown', async (t) => {
  const clock = fakeClock();
  const logger = recordingLogger();
  const broken: OutboxRepository = {
    enqueue: async () => {},
    claimDue: async () => {
      throw new Error(`database is gone (${RECIPIENT})`);
    },
    markSent: async () => {},
    markFailed: async () => {},
    counts: async () => ({ queued: 0, sending: 0, sent: 0, abandoned: 0 }),
    dropUnsentTo: async () => 0,
  };
  const dispatcher = dispatcherFor(t, { outbox: broken, smtpUrl: 'smtp://127.0.0.1:1', clock, logger, pollMs: 50 });
  dispatcher.start();
  await sleep(180);
  await dispatcher.stop();
  const errors = logger.entries.filter((e) => e.level === 'error');
  assert.ok(errors.length >= 2, 'the loop keeps going after a failure');
  assert.match(JSON.stringify(errors[0]), /database is gone/);
  assert.ok(!JSON.stringify(logger.entries).includes(RECIPIENT));
  await assert.rejects(dispatcher.drain(), /database is gone/, 'a direct drain reports the error');
});
