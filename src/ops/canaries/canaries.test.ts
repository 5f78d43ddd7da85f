import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Logger } from 'pino';
import { checkBirthDate } from '../../domain/birth-date.ts';
import { checkDisplayName } from '../../domain/display-name.ts';
import { checkEmail } from '../../domain/email.ts';
import { createAlarms } from '../alarms.ts';
import type { AuditEvent } from '../audit/trail.ts';
import { createMetrics } from '../metrics.ts';
import { addCanary, CanaryError } from './add.ts';
import { checkCanary } from './check.ts';
import { randomIdentity } from './identity.ts';

function alarmsWith(record: (event: AuditEvent) => Promise<void>) {
  const logged: { level: string; obj: Record<string, unknown> }[] = [];
  const logger = {
    warn: (obj: Record<string, unknown>) => void logged.push({ level: 'warn', obj }),
    error: (obj: Record<string, unknown>) => void logged.push({ level: 'error', obj }),
  } as unknown as Logger;
  const metrics = createMetrics({ hashQueueDepth: () => 0 });
  return { logged, metrics, alarms: createAlarms({ audit: { record }, logger, metrics }) };
}

test('canary identities pass the same checks as a member joining, and are adults', () => {
  const today = new Date('2026-03-01T00:00:00Z');
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const identity = randomIdentity('mail.example.org', today);
    assert.equal(checkDisplayName(identity.displayName), undefined, identity.displayName);
    assert.equal(checkEmail(identity.email), undefined, identity.email);
    assert.equal(checkBirthDate(identity.birthDate, today), undefined, identity.birthDate);
    assert.ok(Number(identity.birthDate.slice(0, 4)) <= 2008);
    assert.ok(identity.email.endsWith('@mail.example.org'));
    assert.doesNotMatch(identity.displayName + identity.email, /canary|test/i);
    seen.add(identity.email);
  }
  assert.ok(seen.size > 300, 'addresses vary');
});

test('addCanary refuses what is not a mail domain before touching the store', async () => {
  const untouched = new Proxy({}, { get: () => assert.fail('store used') }) as never;
  for (const domain of ['', 'x@example.org', 'no_tld', 'exa mple.org']) {
    await assert.rejects(addCanary(untouched, untouched, { domain }), CanaryError, domain);
  }
});

test('checkCanary raises a critical canary_used alarm (error log, metric, audit event) only for canaries', async () => {
  const recorded: AuditEvent[] = [];
  const { logged, metrics, alarms } = alarmsWith(async (event) => void recorded.push(event));
  assert.equal(await checkCanary(alarms, undefined, 'sign_in', '203.0.113.9'), false);
  assert.equal(await checkCanary(alarms, { id: 'm-real', canary: false }, 'sign_in', '203.0.113.9'), false);
  assert.equal(recorded.length, 0);

  assert.equal(await checkCanary(alarms, { id: 'm-canary', canary: true }, 'oidc', '203.0.113.9'), true);
  assert.deepEqual(recorded, [{ type: 'alarm.raised', memberId: 'm-canary', ipPrefix: '203.0.113.0/24', data: { kind: 'canary_used', via: 'oidc' } }]);
  assert.deepEqual(logged.map((entry) => [entry.level, entry.obj.alarm]), [['error', 'canary_used']]);
  assert.match(await metrics.registry.metrics(), /playerpass_alarms_total\{kind="canary_used"\} 1/);

  // Other alarms still log at warn.
  await alarms.raise({ kind: 'credential_stuffing_rate' });
  assert.equal(logged.at(-1)!.level, 'warn');
});

test('checkCanary never rejects, so the caller answers as for any member even when the audit append fails', async () => {
  const { logged, alarms } = alarmsWith(() => Promise.reject(new Error('database down')));
  assert.equal(await checkCanary(alarms, { id: 'm-canary', canary: true }, 'password_reset', '203.0.113.9'), true);
  assert.equal(logged[0]!.level, 'error', 'the alarm was logged before the append failed');
});
