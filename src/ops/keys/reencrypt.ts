import { sql, type Kysely } from 'kysely';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BlindIndex } from '../../crypto/blind-index.ts';
import type { FieldCipher } from '../../crypto/field-cipher.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import { foldDisplayName } from '../../domain/display-name.ts';
import { normaliseEmail } from '../../domain/email.ts';
import type { Tables } from '../../store/tables.ts';
import { encryptedColumns, versionPattern, type EncryptedColumn } from './usage.ts';

/**
 * Brings stored data onto the active key versions, online: re-encrypts every field ciphertext not
 * on the active field key, and recomputes the members' blind indexes not on the active index key.
 *
 * It walks each column by primary key in short batches (one short transaction each, then a pause so
 * requests get their turn) and writes with a compare-and-set on the value it read: a detail change
 * that lands meanwhile wins, and its row is simply looked at again in the next pass. It only ever
 * looks for rows not on the active version, so it is resumable and idempotent, and any number of
 * runs (every node, the CLI) may overlap.
 */
export interface ReencryptDeps {
  db: Kysely<Tables>;
  keyring: Keyring;
  cipher: FieldCipher;
  index: BlindIndex;
  logger?: { info(object: object, message: string): void; warn(object: object, message: string): void } | undefined;
}

export type ReencryptPurpose = 'field' | 'index';

export interface ReencryptOptions {
  batchSize?: number;
  /** Pause between batches, so requests interleave. */
  pauseMs?: number;
  /** The pauses do not keep the process alive (the server's background loop). */
  unref?: boolean;
  shouldStop?: () => boolean;
  onBatch?: (report: BatchReport) => void;
}

export interface BatchReport {
  purpose: ReencryptPurpose;
  /** `table.column`, or `members` for the blind indexes. */
  target: string;
  updated: number;
  /** Rows changed by someone else between read and write: looked at again next pass. */
  conflicts: number;
  /** Rows no key in the keyring decrypts: left as they are (and reported). */
  failed: number;
}

export interface ReencryptTotals {
  updated: number;
  conflicts: number;
  failed: number;
  passes: number;
}

const DEFAULT_BATCH = 500;
const DEFAULT_PAUSE_MS = 10;

type AnyDb = Kysely<Record<string, Record<string, string | null>>>;

/** Passes until a pass finds nothing more it can do; the totals of all passes. */
export async function reencrypt(deps: ReencryptDeps, purpose: ReencryptPurpose, options: ReencryptOptions = {}): Promise<ReencryptTotals> {
  const totals: ReencryptTotals = { updated: 0, conflicts: 0, failed: 0, passes: 0 };
  for (;;) {
    const pass = { updated: 0, conflicts: 0, failed: 0 };
    const onBatch = (report: BatchReport) => {
      pass.updated += report.updated;
      pass.conflicts += report.conflicts;
      pass.failed += report.failed;
      options.onBatch?.(report);
    };
    if (purpose === 'field') for (const column of encryptedColumns) await walkColumn(deps, column, { ...options, onBatch });
    else await walkIndexes(deps, { ...options, onBatch });
    totals.passes++;
    totals.updated += pass.updated;
    totals.conflicts += pass.conflicts;
    totals.failed = pass.failed;
    if (options.shouldStop?.() || (pass.updated === 0 && pass.conflicts === 0)) return totals;
  }
}

async function walkColumn(deps: ReencryptDeps, target: EncryptedColumn, options: ReencryptOptions): Promise<void> {
  const db = deps.db as unknown as AnyDb;
  const { table, key, column } = target;
  let after = '';
  for (;;) {
    if (options.shouldStop?.()) return;
    const active = deps.keyring.current('field').version;
    const rows = await db
      .selectFrom(table)
      .select([key, column])
      .where(column, 'is not', null)
      // An erased value (a sent mail's recipient) is '': nothing to re-encrypt.
      .where(column, '<>', '')
      .where(column, 'not like', versionPattern('field', active))
      .where(key, '>', after)
      .orderBy(key)
      .limit(options.batchSize ?? DEFAULT_BATCH)
      .execute();
    if (rows.length === 0) return;
    after = String(rows.at(-1)![key]);
    const report: BatchReport = { purpose: 'field', target: `${table}.${column}`, updated: 0, conflicts: 0, failed: 0 };
    const writes: { id: string; old: string; next: string }[] = [];
    for (const row of rows) {
      const id = String(row[key]);
      const old = String(row[column]);
      const context = { table, column: target.context, rowId: id };
      try {
        writes.push({ id, old, next: deps.cipher.encrypt(deps.cipher.decrypt(old, context), context) });
      } catch {
        report.failed++;
      }
    }
    report.updated = await compareAndSet(deps.db, table, key, [column], [column], writes.map((w) => [w.id, w.old, w.next]));
    report.conflicts = writes.length - report.updated;
    if (report.failed > 0) deps.logger?.warn({ target: report.target, failed: report.failed }, 'key rotation: rows no key decrypts were left as they are');
    options.onBatch?.(report);
    await sleep(options.pauseMs ?? DEFAULT_PAUSE_MS, undefined, { ref: !options.unref });
  }
}

async function walkIndexes(deps: ReencryptDeps, options: ReencryptOptions): Promise<void> {
  let after = '';
  const context = (rowId: string, column: string) => ({ table: 'members', column, rowId });
  for (;;) {
    if (options.shouldStop?.()) return;
    const prefix = versionPattern('index', deps.keyring.current('index').version);
    const rows = await deps.db
      .selectFrom('members')
      .select(['id', 'email_ct', 'display_name_ct', 'kind_marker'])
      .where((eb) =>
        eb.or([
          eb('email_idx', 'not like', prefix),
          eb('display_name_idx', 'not like', prefix),
          eb.and([eb('kind_marker', 'is not', null), eb('kind_marker', 'not like', prefix)]),
        ]),
      )
      .where('id', '>', after)
      .orderBy('id')
      .limit(options.batchSize ?? DEFAULT_BATCH)
      .execute();
    if (rows.length === 0) return;
    after = rows.at(-1)!.id;
    const report: BatchReport = { purpose: 'index', target: 'members', updated: 0, conflicts: 0, failed: 0 };
    const writes: { row: (typeof rows)[number]; set: { email_idx: string; display_name_idx: string; kind_marker: string | null } }[] = [];
    for (const row of rows) {
      try {
        const email = deps.cipher.decrypt(row.email_ct, context(row.id, 'email'));
        const displayName = deps.cipher.decrypt(row.display_name_ct, context(row.id, 'display_name'));
        // A marker that matches neither kind reads as an ordinary member (src/store/members.ts), so it becomes one.
        const canary = row.kind_marker !== null && deps.index.candidates('member_kind', `${row.id}:canary`).includes(row.kind_marker);
        writes.push({
          row,
          set: {
            email_idx: deps.index.compute('email', normaliseEmail(email)),
            display_name_idx: deps.index.compute('display_name', foldDisplayName(displayName)),
            kind_marker: row.kind_marker === null ? null : deps.index.compute('member_kind', `${row.id}:${canary ? 'canary' : 'member'}`),
          },
        });
      } catch {
        report.failed++;
      }
    }
    report.updated = await compareAndSet(
      deps.db,
      'members',
      'id',
      ['email_ct', 'display_name_ct', 'kind_marker'],
      ['email_idx', 'display_name_idx', 'kind_marker'],
      writes.map(({ row, set }) => [row.id, row.email_ct, row.display_name_ct, row.kind_marker, set.email_idx, set.display_name_idx, set.kind_marker]),
    );
    report.conflicts = writes.length - report.updated;
    if (report.failed > 0) deps.logger?.warn({ target: 'members', failed: report.failed }, 'key rotation: members no key decrypts keep their blind indexes');
    options.onBatch?.(report);
    await sleep(options.pauseMs ?? DEFAULT_PAUSE_MS, undefined, { ref: !options.unref });
  }
}

/**
 * One UPDATE for a whole batch: each row `[id, ...expected values of checked, ...new values of set]`
 * is written only where the row still holds the expected values (NULL equal to NULL), so a change
 * made since the batch was read is never overwritten. Returns how many rows were written.
 * (`UPDATE … FROM (VALUES …)`: PostgreSQL, and SQLite ≥ 3.33; both name the columns column1…n.)
 */
async function compareAndSet(db: Kysely<Tables>, table: string, key: string, checked: string[], set: string[], rows: (string | null)[][]): Promise<number> {
  if (rows.length === 0) return 0;
  const v = (n: number) => sql.raw(`v.column${n}`);
  const values = sql.join(rows.map((row) => sql`(${sql.join(row)})`));
  const result = await sql`update ${sql.table(table)} set ${sql.join(set.map((column, i) => sql`${sql.ref(column)} = ${v(2 + checked.length + i)}`))}
    from (values ${values}) as v
    where ${sql.ref(`${table}.${key}`)} = ${v(1)}
    and ${sql.join(checked.map((column, i) => sql`coalesce(${sql.ref(`${table}.${column}`)}, '') = coalesce(${v(2 + i)}, '')`), sql` and `)}`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

export interface BackgroundReencryption {
  /** Starts the loop: one run now, another after every `kick`. */
  start(): void;
  /** The keys changed: run again (after the current run, if one is going). */
  kick(): void;
  /** Resolves once no run is going or waiting. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The server's background job: runs both purposes to completion when started and again whenever
 * the keyring changes, and otherwise reads nothing. Errors are logged and retried after a pause.
 *
 * A run that completes records the active version it brought everything onto (`meta`), and a
 * start skips a purpose already recorded as done for the active version: finding nothing to do
 * means reading every encrypted column, which on a million members takes seconds of database time
 * that a starting node should not spend. A node that loads changed keys while running (`kick`)
 * always runs, so rows written meanwhile by a node still on the older key are caught then.
 */
export function createBackgroundReencryption(deps: ReencryptDeps, options: Omit<ReencryptOptions, 'shouldStop'> & { retryMs?: number } = {}): BackgroundReencryption {
  let started = false;
  let stopped = false;
  let again = false;
  let running: Promise<void> | undefined;
  const stopping = new AbortController();
  const run = async (atStart: boolean) => {
    let skipDone = atStart;
    do {
      again = false;
      try {
        for (const purpose of ['field', 'index'] as const) {
          const active = String(deps.keyring.current(purpose).version);
          if (skipDone && (await readDoneVersion(deps.db, purpose)) === active) continue;
          const totals = await reencrypt(deps, purpose, { ...options, unref: true, shouldStop: () => stopped });
          if (totals.updated > 0) deps.logger?.info({ purpose, ...totals }, 'key rotation: stored data is on the active key');
          if (!stopped && totals.failed === 0) await writeDoneVersion(deps.db, purpose, active);
        }
      } catch (error) {
        if (stopped) return;
        deps.logger?.warn({ err: error }, 'key rotation: background re-encryption failed; retrying');
        await sleep(options.retryMs ?? 30_000, undefined, { ref: false, signal: stopping.signal }).catch(() => undefined);
        again = true;
      }
      skipDone = false;
    } while (again && !stopped);
  };
  const launch = (atStart: boolean) => {
    if (!started || stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = run(atStart).finally(() => {
      running = undefined;
    });
  };
  return {
    start() {
      started = true;
      launch(true);
    },
    kick: () => launch(false),
    async idle() {
      while (running) await running;
    },
    async stop() {
      stopped = true;
      stopping.abort();
      await running;
    },
  };
}

const doneKey = (purpose: ReencryptPurpose) => `reencrypted_${purpose}_version`;

async function readDoneVersion(db: Kysely<Tables>, purpose: ReencryptPurpose): Promise<string | undefined> {
  return (await db.selectFrom('meta').select('value').where('key', '=', doneKey(purpose)).executeTakeFirst())?.value;
}

async function writeDoneVersion(db: Kysely<Tables>, purpose: ReencryptPurpose, version: string): Promise<void> {
  await db
    .insertInto('meta')
    .values({ key: doneKey(purpose), value: version })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: version }))
    .execute();
}
