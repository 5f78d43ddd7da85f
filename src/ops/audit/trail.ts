import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Keyring } from '../../crypto/keyring.ts';
import { randomId } from '../../crypto/random.ts';
import type { Clock } from '../../domain/clock.ts';
import { uniqueViolation } from '../../store/database.ts';
import type { Tables } from '../../store/tables.ts';
import { canonicalData, type AuditData } from './canonical.ts';
import { computeHash, GENESIS_HASH } from './chain.ts';

export interface AuditEvent {
  /** snake_case words with a dot namespace: `member.joined`, `sign_in.failed`, `alarm.raised`. */
  type: string;
  memberId?: string | null;
  ipPrefix?: string | null;
  /** Ids, flags and counts only: values that look like an email address are refused. */
  data?: AuditData;
}

export interface AuditTrail {
  /**
   * Appends one event. Call it after the transaction of the change it records has committed, never
   * inside one: on SQLite the trail needs the one connection the open transaction holds.
   */
  record(event: AuditEvent): Promise<void>;
}

interface WarnLogger {
  warn(object: object, message: string): void;
}

const TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const MAX_ATTEMPTS = 10;
/** Any constant; every node appending to one PostgreSQL database takes this lock for the append. */
const ADVISORY_LOCK_KEY = 0x61756469;

export class AuditEventError extends Error {
  override name = 'AuditEventError';
}

/**
 * Appends go through one promise chain per process; across processes, PostgreSQL serialises them on
 * an advisory lock, and on either database the primary key on `seq` turns a lost race into a
 * conflict that is retried with the new last row, so the chain never forks.
 */
export function createAuditTrail(db: Kysely<Tables>, keyring: Keyring, clock: Clock, logger?: WarnLogger): AuditTrail {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  let queue: Promise<unknown> = Promise.resolve();

  async function appendOnce(event: AuditEvent, data: string): Promise<void> {
    // On SQLite no explicit transaction: a deferred one would read, then try to upgrade to a write
    // lock while another process holds its own read lock, and wait out busy_timeout. The primary
    // key alone makes a lost race fail, and then we retry on top of the new last row.
    if (!postgres) return appendAfterLast(db, event, data);
    await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${sql.lit(ADVISORY_LOCK_KEY)})`.execute(trx);
      await appendAfterLast(trx, event, data);
    });
  }

  async function appendAfterLast(conn: Kysely<Tables>, event: AuditEvent, data: string): Promise<void> {
    const last = await conn.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const key = keyring.current('audit');
    const row = {
      seq: last ? Number(last.seq) + 1 : 1,
      id: randomId(),
      at: clock.now(),
      type: event.type,
      member_id: event.memberId ?? null,
      ip_prefix: event.ipPrefix ?? null,
      data,
      key_version: key.version,
      prev_hash: last?.hash ?? GENESIS_HASH,
    };
    await conn.insertInto('audit_events').values({ ...row, hash: computeHash(key.secret, row.prev_hash, row) }).execute();
  }

  async function append(event: AuditEvent, data: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await appendOnce(event, data);
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !lostRace(error)) throw error;
        logger?.warn({ attempt, type: event.type }, 'audit append lost a race with another node; retrying');
        await sleep(1 + Math.floor(Math.random() * 10 * attempt));
      }
    }
  }

  return {
    record(event) {
      let data: string;
      try {
        data = validate(event);
      } catch (error) {
        return Promise.reject(error);
      }
      const run = queue.then(() => append(event, data));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

/** Another appender took the same seq, or (SQLite, several processes) wrote since our snapshot. */
function lostRace(error: unknown): boolean {
  if (uniqueViolation(error)) return true;
  const code = String((error as { code?: unknown })?.code ?? '');
  return code.startsWith('SQLITE_BUSY') || code === '40001' || code === '40P01';
}

function validate(event: AuditEvent): string {
  if (!TYPE_PATTERN.test(event.type)) throw new AuditEventError(`audit event type "${event.type}" is not namespaced snake_case (like sign_in.failed)`);
  const data = event.data ?? {};
  for (const [key, value] of Object.entries(data)) {
    const kind = value === null ? 'null' : typeof value;
    if (!['string', 'number', 'boolean', 'null'].includes(kind) || (kind === 'number' && !Number.isFinite(value))) {
      throw new AuditEventError(`audit data "${key}" must be a string, finite number, boolean or null`);
    }
    // The trail is kept for years and read by operators: no personal data in clear.
    if (kind === 'string' && (value as string).includes('@')) throw new AuditEventError(`audit data "${key}" looks like an email address`);
  }
  for (const [name, value] of [['memberId', event.memberId], ['ipPrefix', event.ipPrefix]] as const) {
    if (value != null && (typeof value !== 'string' || value.includes('@'))) throw new AuditEventError(`audit ${name} must be an id, not personal data`);
  }
  return canonicalData(data);
}
