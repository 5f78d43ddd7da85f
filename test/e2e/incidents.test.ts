import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hashToken, randomId, randomToken } from '../../src/crypto/random.ts';
import { searchAudit } from '../../src/ops/audit/query.ts';
import { formatReport } from '../../src/ops/incidents/report.ts';
import { createIncidentService, type IncidentService } from '../../src/ops/incidents/service.ts';
import { incidentMailKey } from '../../src/store/incidents.ts';
import { startSmtpCatcher, type SmtpCatcher } from '../helpers/smtp-catcher.ts';
import { buildTestApp, type TestApp } from '../helpers/test-app.ts';

// 10,000 members (every third with a session, one canary); the incident covers the 6,000 oldest.
const MEMBERS = 10_000;
const IN_SCOPE = 6_000;
const DAY = 24 * 60 * 60_000;
const PASSWORD = 'a long and unusual passphrase 42';

let t: TestApp;
let smtp: SmtpCatcher;
let incidents: IncidentService;
let base: number;
const ids: string[] = [];

const db = () => t.services.database.db;
const inScope = (i: number) => i < IN_SCOPE;
const count = (rows: { n: unknown }) => Number(rows.n);

before(async () => {
  // A pooled SMTP connection (nodemailer reads `pool` from the URL): a new connection per mail costs
  // the catcher's ~100 ms greeting delay, 10 minutes for 6,000 notices. Operators mailing an incident
  // want the same setting (see the README).
  smtp = await startSmtpCatcher();
  t = await buildTestApp({ env: { PLAYERPASS_SMTP_URL: `${smtp.url}/?pool=true&maxMessages=1000` } });
  const { store, hasher, clock } = t.services.flows;
  const password = await hasher.hash(PASSWORD); // once: argon2 for 10,000 members would take minutes
  base = clock.now() - 100 * DAY;
  const started = Date.now();
  for (let from = 0; from < MEMBERS; from += 2_500) {
    await store.transaction(async (tx) => {
      for (let i = from; i < from + 2_500; i++) {
        const id = randomId();
        ids.push(id);
        const createdAt = base + i * 60_000;
        await tx.members.insert(
          { id, displayName: `Player ${i}`, email: `player${i}@example.test`, birthDate: '1990-01-01', status: 'active', emailVerified: true, mustReset: false, canary: false, failedSignIns: 0, createdAt, updatedAt: createdAt },
          password,
        );
        if (i % 3 === 0) {
          await tx.sessions.create({ id: randomId(), tokenHash: hashToken(randomToken()), memberId: id, device: 'test', ipPrefix: null, amr: ['pwd'], now: createdAt + 1000, expiresAt: clock.now() + DAY });
        }
      }
    });
  }
  // A canary created with the oldest members: never in an incident's scope.
  await store.members.insert(
    { id: 'canary-1', displayName: 'Canary', email: 'canary@example.test', birthDate: '1990-01-01', status: 'active', emailVerified: true, mustReset: false, canary: true, failedSignIns: 0, createdAt: base - 1, updatedAt: base - 1 },
    password,
  );
  console.log(`seeded ${MEMBERS} members in ${Date.now() - started} ms`);
  incidents = createIncidentService({
    store,
    clock,
    audit: t.services.audit,
    defaultContact: t.services.config.mailFrom,
    mail: { productName: 'playerpass', publicUrl: t.services.config.publicUrl },
    mailQueued: () => undefined,
  });
});

after(async () => {
  await t?.close();
  await smtp?.close();
});

async function state() {
  const revoked = await db().selectFrom('sessions').select((eb) => eb.fn.countAll().as('n')).where('revoked_at', 'is not', null).executeTakeFirstOrThrow();
  const mustReset = await db().selectFrom('members').select((eb) => eb.fn.countAll().as('n')).where('must_reset', '=', 1).executeTakeFirstOrThrow();
  const outbox = await db().selectFrom('outbox').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return { revoked: count(revoked), mustReset: count(mustReset), outbox: count(outbox) };
}

test('a scoped incident: dry runs, revoke, resets, an interrupted and resumed notice, the report', { timeout: 300_000 }, async () => {
  const cutoff = base + IN_SCOPE * 60_000;
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    t.clock.advance(60_000); // a minute between steps, so the timeline has an order to show
    try {
      return await work();
    } finally {
      timings[name] = Date.now() - started;
    }
  };

  const opened = await timed('open', () =>
    incidents.openIncident({
      title: 'A copy of the member database was exposed',
      window: { from: base, to: base + 200 * DAY },
      categories: ['names', 'emails', 'birthdates', 'password_hashes'],
      scope: { kind: 'created_before', before: cutoff },
      contact: 'privacy@example.test',
      createdBy: 'test',
    }),
  );
  assert.deepEqual(opened.counts, { members: IN_SCOPE, names: IN_SCOPE, emails: IN_SCOPE, birthdates: IN_SCOPE, password_hashes: IN_SCOPE });
  const sessionsInScope = Math.ceil(IN_SCOPE / 3);

  // Dry runs count and change nothing.
  const dry = [
    await timed('dry revoke', () => incidents.revokeSessions(opened.id, { dryRun: true })),
    await timed('dry resets', () => incidents.requireResets(opened.id, { dryRun: true })),
    await timed('dry notify', () => incidents.notifyMembers(opened.id, { dryRun: true })),
  ];
  assert.deepEqual(dry.map((r) => [r.members, r.items]), [[IN_SCOPE, sessionsInScope], [IN_SCOPE, IN_SCOPE], [IN_SCOPE, IN_SCOPE]]);
  assert.deepEqual(await state(), { revoked: 0, mustReset: 0, outbox: 0 });
  assert.match(await incidents.previewNotice(opened.id), /What happened: A copy of the member database was exposed/);

  const revoked = await timed('revoke', () => incidents.revokeSessions(opened.id));
  assert.deepEqual([revoked.members, revoked.items, revoked.remaining], [IN_SCOPE, sessionsInScope, 0]);
  const resets = await timed('resets', () => incidents.requireResets(opened.id));
  assert.equal(resets.members, IN_SCOPE);

  // Only the members in scope were touched.
  const perMember = await db()
    .selectFrom('members')
    .leftJoin('sessions', 'sessions.member_id', 'members.id')
    .select(['members.id', 'members.must_reset', 'members.created_at', 'sessions.id as session', 'sessions.revoked_at'])
    .execute();
  for (const row of perMember) {
    const affected = row.id !== 'canary-1' && Number(row.created_at) < cutoff;
    assert.equal(row.must_reset, affected ? 1 : 0, row.id);
    if (row.session) assert.equal(row.revoked_at !== null, affected, row.id);
  }

  // Notify, interrupted after half of the members (as a Ctrl-C would), part of it delivered...
  const abort = new AbortController();
  const first = await timed('notify (half)', () =>
    incidents.notifyMembers(opened.id, { signal: abort.signal, onProgress: ({ done }) => done >= IN_SCOPE / 2 && abort.abort() }),
  );
  assert.deepEqual([first.interrupted, first.members, first.remaining], [true, IN_SCOPE / 2, IN_SCOPE / 2]);
  assert.equal((await state()).outbox, IN_SCOPE / 2);
  const sentFirst = await timed('smtp (half)', () => t.deliverMail());
  assert.equal(sentFirst, IN_SCOPE / 2);

  // ...and even if the marks of a few notified members were lost, the idempotency key holds.
  const lost = (await db().selectFrom('incident_members').select('member_id').where('incident_id', '=', opened.id).where('notified_at', 'is not', null).limit(10).execute()).map((r) => r.member_id);
  assert.equal(lost.length, 10);
  await db().updateTable('incident_members').set({ notified_at: null }).where('incident_id', '=', opened.id).where('member_id', 'in', lost).execute();

  const second = await timed('notify (resume)', () => incidents.notifyMembers(opened.id));
  assert.equal(second.interrupted, false);
  assert.equal(second.remaining, 0);
  assert.equal((await state()).outbox, IN_SCOPE, 'one outbox row per member in scope');
  const sentSecond = await timed('smtp (rest)', () => t.deliverMail());
  assert.equal(sentFirst + sentSecond, IN_SCOPE);

  // Exactly one notice per member in scope, over real SMTP, none to anyone else.
  const notices = smtp.mails.filter((m) => /security incident/.test(m.subject));
  assert.equal(notices.length, IN_SCOPE);
  const recipients = new Set(notices.flatMap((m) => m.to));
  assert.equal(recipients.size, IN_SCOPE);
  for (const to of recipients) assert.ok(inScope(Number(/^player(\d+)@/.exec(to)?.[1] ?? 'NaN')), to);
  const sample = notices.find((m) => m.to[0] === 'player42@example.test');
  assert.ok(sample?.text.includes('Hi Player 42,'));
  assert.ok(sample?.text.includes('your password hash (your password itself was never stored)'));
  assert.ok(sample?.text.includes('signed your account out on every device'));
  assert.ok(sample?.text.includes('privacy@example.test'));

  // The audit trail has each step with its counts, and no personal data.
  const events = await searchAudit(db(), { limit: 100 });
  const types = events.map((e) => e.type).reverse();
  for (const type of ['incident.opened', 'incident.step_started', 'incident.sessions_revoked', 'incident.resets_required', 'incident.members_notified']) {
    assert.ok(types.includes(type), type);
  }
  const notified = events.filter((e) => e.type === 'incident.members_notified').map((e) => e.data).reverse();
  assert.deepEqual(notified.map((d) => [d.members, d.complete]), [[IN_SCOPE / 2, false], [IN_SCOPE / 2 + lost.length, true]]);
  assert.equal(notified[1]!.mails, IN_SCOPE / 2 + lost.length, 'enqueued again, but no new outbox row');
  assert.ok(!JSON.stringify(events).includes('@example.test'));

  // The report.
  const report = await incidents.report(opened.id);
  assert.equal(report.mail.sent, IN_SCOPE);
  assert.deepEqual(report.progress, { members: IN_SCOPE, revoked: IN_SCOPE, resetRequired: IN_SCOPE, notified: IN_SCOPE });
  const text = formatReport(report);
  for (const line of [`Affected members:   ${IN_SCOPE}`, `${IN_SCOPE} sent, 0 waiting, 0 undeliverable`, `sessions revoked:            ${IN_SCOPE} of ${IN_SCOPE} members`, 'dry run of "sessions revoked"', `notices queued: ${IN_SCOPE / 2} members, ${IN_SCOPE / 2} left for a later run`]) {
    assert.ok(text.includes(line), `report has: ${line}\n${text}`);
  }
  const timeline = text.slice(text.indexOf('Timeline (UTC):')).split('\n').slice(1).map((line) => line.replace(/^ *\S+ +/, '').replace(/:.*| \(.*/, ''));
  assert.deepEqual(timeline, [
    'incident opened, scope frozen',
    ...['dry run of "sessions revoked"', 'dry run of "password reset required"', 'dry run of "notices queued"'],
    'sessions revoked',
    'password reset required',
    'notices queued',
    'notices queued',
  ]);
  console.log(text);
  console.log(`timings (ms): ${JSON.stringify(timings)}`);

  // Sign-in: an affected member must choose a new password (a link is mailed); others sign in.
  const signIn = (i: number) => t.api('POST', '/api/v1/sessions', { body: { email: `player${i}@example.test`, password: PASSWORD } });
  const refused = await signIn(7);
  assert.equal(refused.json().error.code, 'password_reset_required');
  await t.deliverMail();
  await smtp.waitForMail((m) => m.to.includes('player7@example.test') && /reset/i.test(m.subject));
  assert.equal((await signIn(IN_SCOPE + 7)).statusCode, 201);
  assert.equal(await db().selectFrom('outbox').select('id').where('idempotency_key', '=', incidentMailKey(opened.id, ids[IN_SCOPE + 7]!)).executeTakeFirst(), undefined);
});
