import { PostgresAdapter, sql, type Insertable, type Kysely } from 'kysely';
import { statSync } from 'node:fs';
import type { BlindIndex, IndexPurpose } from '../../crypto/blind-index.ts';
import type { FieldCipher } from '../../crypto/field-cipher.ts';
import type { LegacyVault } from '../../crypto/legacy-vault.ts';
import { pooledRandomBytes, pooledRandomId } from '../../crypto/random-pool.ts';
import type { Clock } from '../../domain/clock.ts';
import { foldDisplayName } from '../../domain/display-name.ts';
import { uniqueViolation } from '../../store/database.ts';
import { createLegacyMemberRepository, type LegacyMemberRepository } from '../../store/legacy-members.ts';
import { encryptMemberFields } from '../../store/members.ts';
import type { CredentialRow, MemberRow, Tables } from '../../store/tables.ts';
import { readCsvFile } from './csv-reader.ts';
import { openRejectReport, type RejectEntry } from './rejects.ts';
import { columnPositions, disambiguatedName, validateRow, validName, type Column, type LegacyRow } from './row-validate.ts';

/**
 * `playerpass import members FILE`: a legacy export into the members table, streaming and in batches.
 *
 * Each batch is one transaction: the rows whose legacy_id is already imported are skipped (so a
 * re-run, or a run after an interruption, goes on where the last committed batch ended), the rest
 * are checked against the database and each other for emails (the later row of a duplicate pair is
 * rejected) and display names (a taken name gets ` #<legacy id>`), encrypted and blind-indexed as a
 * join does, and inserted. No argon2 runs here: each legacy digest is stored encrypted under the
 * 'legacy' key (`pending:<scheme>`) for the wrap job. So the cost per row is a few AES-GCM and HMAC
 * calls, and memory holds one batch whatever the file size.
 */
export interface ImportDeps {
  db: Kysely<Tables>;
  cipher: FieldCipher;
  index: BlindIndex;
  vault: LegacyVault;
  clock: Clock;
}

export interface ImportOptions {
  file: string;
  /** Default: `<file>.rejects.csv`. */
  rejectsFile?: string;
  /** Rows looked up and inserted together (default 1,000). */
  batchSize?: number;
  /** SQLite: rows per transaction (default 10,000); PostgreSQL commits every batch. */
  commitRows?: number;
  onProgress?: (progress: ImportProgress) => void;
  /** Stops after the batch in hand (committed); a re-run resumes. */
  signal?: AbortSignal;
}

export interface ImportProgress {
  rows: number;
  bytes: number;
  totalBytes: number;
  imported: number;
  skipped: number;
  rejected: number;
}

export interface ImportSummary extends ImportProgress {
  /** Display names repaired or made unique. */
  renamed: number;
  /** Rows without a usable created_at (the import time was used). */
  createdAtDefaulted: number;
  /** Imported members without a password (`none`): they sign in after a reset. */
  withoutPassword: number;
  rejectReasons: Record<string, number>;
  rejectsFile: string;
  interrupted: boolean;
  elapsedMs: number;
}

const DEFAULT_BATCH = 1_000;
const DEFAULT_COMMIT_ROWS = 10_000;
/** SQLite page cache of the import's own connection while it runs (the default is 2 MiB). */
const SQLITE_CACHE_KIB = 32 * 1024;
const MAX_ATTEMPTS = 5;

export async function importMembers(deps: ImportDeps, options: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const now = deps.clock.now();
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const summary: ImportSummary = {
    rows: 0, bytes: 0, totalBytes: statSync(options.file).size, imported: 0, skipped: 0, rejected: 0,
    renamed: 0, createdAtDefaulted: 0, withoutPassword: 0, rejectReasons: {},
    rejectsFile: options.rejectsFile ?? `${options.file}.rejects.csv`, interrupted: false, elapsedMs: 0,
  };
  const report = await openRejectReport(summary.rejectsFile);
  const postgres = deps.db.getExecutor().adapter instanceof PostgresAdapter;
  let write: BatchWriter = postgresWriter(deps, now);
  let positions: Record<Column, number> | undefined;
  let width = 0;
  let batch: LegacyRow[] = [];
  let rejects: RejectEntry[] = [];

  const flush = async () => {
    const outcome = await write.batch(batch);
    rejects.push(...outcome.rejects);
    summary.imported += outcome.imported.length;
    summary.skipped += outcome.skipped;
    for (const { row, renamed } of outcome.imported) {
      if (renamed) summary.renamed++;
      if (row.createdAtDefaulted) summary.createdAtDefaulted++;
      if (!row.password) summary.withoutPassword++;
    }
    for (const entry of rejects) summary.rejectReasons[entry.reason] = (summary.rejectReasons[entry.reason] ?? 0) + 1;
    summary.rejected += rejects.length;
    await report.write(rejects);
    batch = [];
    rejects = [];
    options.onProgress?.(summary);
  };

  const run = async () => {
    reading: for await (const records of readCsvFile(options.file, { onBytes: (bytes) => (summary.bytes = bytes) })) {
      for (const record of records) {
        if (!positions) {
          positions = columnPositions(record.fields);
          width = record.fields.length;
          continue;
        }
        summary.rows++;
        const result = validateRow(record, positions, width, now);
        if (result.ok) batch.push(result.row);
        else rejects.push({ line: result.line, legacyId: result.legacyId, reason: result.reason });
        if (batch.length >= batchSize) {
          await flush();
          if (options.signal?.aborted) {
            summary.interrupted = true;
            break reading;
          }
        }
      }
      options.onProgress?.(summary);
    }
    if (!summary.interrupted) await flush();
    await write.finish();
  };
  try {
    if (postgres) await run();
    else {
      await deps.db.connection().execute(async (conn) => {
        write = sqliteWriter(deps, conn, now, options.commitRows ?? DEFAULT_COMMIT_ROWS);
        const [{ cache_size: cacheSize }] = (await sql<{ cache_size: number }>`pragma cache_size`.execute(conn)).rows as [{ cache_size: number }];
        await sql.raw(`pragma cache_size = -${SQLITE_CACHE_KIB}`).execute(conn);
        try {
          await run();
        } catch (error) {
          await write.abandon();
          throw error;
        } finally {
          await sql.raw(`pragma cache_size = ${Number(cacheSize)}`).execute(conn);
        }
      });
    }
  } finally {
    await report.close();
  }
  summary.elapsedMs = Date.now() - started;
  return summary;
}

interface BatchOutcome {
  imported: { row: LegacyRow; renamed: boolean }[];
  skipped: number;
  rejects: RejectEntry[];
}

async function insertBatch(deps: ImportDeps, repo: LegacyMemberRepository, rows: LegacyRow[], now: number, newId: () => string): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { imported: [], skipped: 0, rejects: [] };
  if (rows.length === 0) return outcome;
  const reject = (row: LegacyRow, reason: RejectEntry['reason']) => outcome.rejects.push({ line: row.line, legacyId: row.legacyId, reason });

  const existing = await repo.existingLegacyIds(rows.map((row) => row.legacyId));
  const fresh: LegacyRow[] = [];
  const ids = new Set<string>();
  for (const row of rows) {
    if (existing.has(row.legacyId)) outcome.skipped++;
    else if (ids.has(row.legacyId)) reject(row, 'duplicate_legacy_id');
    else {
      ids.add(row.legacyId);
      fresh.push(row);
    }
  }

  const takenEmails = await taken(deps.index, repo, 'email', fresh.map((row) => row.normalisedEmail));
  const accepted: LegacyRow[] = [];
  for (const row of fresh) {
    if (takenEmails.has(row.normalisedEmail)) reject(row, 'duplicate_email');
    else {
      takenEmails.add(row.normalisedEmail);
      accepted.push(row);
    }
  }

  // Names: the exported one when free (in the store and in this batch); else ` #<legacy id>`, else a
  // random `Player …`. Looked up in two rounds so only colliding rows pay for the alternatives.
  const names = await chooseNames(deps.index, repo, accepted);
  const members: Insertable<MemberRow>[] = [];
  const credentials: Insertable<CredentialRow>[] = [];
  accepted.forEach((row, i) => {
    const displayName = names[i]!;
    const id = newId();
    const fields = encryptMemberFields(deps.cipher, deps.index, id, { displayName, email: row.email, birthDate: row.birthDate });
    members.push({
      id,
      ...fields,
      status: 'active',
      email_verified: row.emailVerified ? 1 : 0,
      must_reset: row.password ? 0 : 1,
      canary: 0,
      key_version: deps.cipher.keyVersionOf(fields.email_ct),
      failed_sign_ins: 0,
      created_at: row.createdAt,
      updated_at: now,
      legacy_id: row.legacyId,
    });
    if (row.password) {
      const sealed = deps.vault.seal(row.password.digest, id, row.password.scheme);
      credentials.push({
        member_id: id,
        kind: 'password',
        secret: sealed.secret,
        key_version: sealed.keyVersion,
        scheme: `pending:${row.password.scheme}`,
        salt: row.password.params === '' ? null : row.password.params,
        created_at: now,
        updated_at: now,
      });
    }
    outcome.imported.push({ row, renamed: row.renamed || displayName !== row.displayName });
  });
  await repo.insert(members, credentials);
  return outcome;
}

async function chooseNames(index: BlindIndex, repo: LegacyMemberRepository, rows: LegacyRow[]): Promise<string[]> {
  const used = await taken(index, repo, 'display_name', rows.map((row) => foldDisplayName(row.displayName)));
  const chosen: (string | undefined)[] = rows.map((row) => {
    const folded = foldDisplayName(row.displayName);
    if (used.has(folded)) return undefined;
    used.add(folded);
    return row.displayName;
  });
  const alternatives = new Map<number, string[]>();
  chosen.forEach((name, i) => {
    if (name !== undefined) return;
    const row = rows[i]!;
    const suffixed = disambiguatedName(row.displayName, row.legacyId);
    alternatives.set(i, [...(validName(suffixed) ? [suffixed] : []), `Player ${pooledRandomId().slice(0, 10)}`]);
  });
  if (alternatives.size > 0) {
    for (const folded of await taken(index, repo, 'display_name', [...alternatives.values()].flat().map(foldDisplayName))) used.add(folded);
    for (const [i, names] of alternatives) {
      // The random fallback is 60 bits: taken only by astronomically bad luck, which the unique index
      // would then turn into a retried batch.
      const name = names.find((candidate) => !used.has(foldDisplayName(candidate))) ?? names.at(-1)!;
      used.add(foldDisplayName(name));
      chosen[i] = name;
    }
  }
  return chosen as string[];
}

/** Which normalised values some member already holds, checked against every blind-index key version. */
async function taken(index: BlindIndex, repo: LegacyMemberRepository, purpose: IndexPurpose, values: string[]): Promise<Set<string>> {
  const byIndex = new Map<string, string>();
  for (const value of values) for (const candidate of index.candidates(purpose, value)) byIndex.set(candidate, value);
  const found = await repo.takenIndexes(purpose === 'email' ? 'email_idx' : 'display_name_idx', [...byIndex.keys()]);
  return new Set([...found].map((idx) => byIndex.get(idx)!));
}

/**
 * Member ids for one transaction: 128 random bits like any member id (`randomId`), but the first 48
 * are drawn once per transaction and shared by its rows. A new member's id lands at a random place
 * in the members primary key and the credentials primary key, and on a table of a million members
 * nearly every row then rewrites pages of its own; ids sharing a prefix land side by side, so a
 * transaction rewrites a few pages of each of those two indexes instead of thousands (it halved the
 * SQLite time per row). The ids stay unguessable (80 bits of each are its own) and reveal no order or
 * count; members imported in one transaction can be told apart as a group, which their legacy_id
 * already shows.
 */
function groupedIds(): () => string {
  const prefix = pooledRandomBytes(6);
  return () => Buffer.concat([prefix, pooledRandomBytes(10)]).toString('base64url');
}

interface BatchWriter {
  batch(rows: LegacyRow[]): Promise<BatchOutcome>;
  finish(): Promise<void>;
  abandon(): Promise<void>;
}

/**
 * PostgreSQL: one transaction per batch; a unique violation from a concurrent join (between our
 * lookups and inserts) is retried, and the retry then sees the winner.
 */
function postgresWriter(deps: ImportDeps, now: number): BatchWriter {
  return {
    batch: (rows) => {
      const newId = groupedIds();
      return withRetries(() => deps.db.transaction().execute((trx) => insertBatch(deps, createLegacyMemberRepository(trx), rows, now, newId)));
    },
    finish: async () => {},
    abandon: async () => {},
  };
}

/**
 * SQLite: a transaction spans `commitRows` rows (several batches). Every commit writes each page it
 * changed to the WAL, and with five randomly keyed indexes nearly every imported row changes pages
 * of its own: fewer, larger commits rewrite far fewer pages. `BEGIN IMMEDIATE` takes the write lock
 * before the lookups, so nobody can insert a conflicting row in between (a deferred transaction
 * would also fail to upgrade when the server wrote meanwhile). Between commits the lock is let go
 * for a moment, so a running server's writes get their turn.
 */
function sqliteWriter(deps: ImportDeps, conn: Kysely<Tables>, now: number, commitRows: number): BatchWriter {
  let open = false;
  let rows = 0;
  let newId = groupedIds();
  const commit = async () => {
    if (!open) return;
    await sql`commit`.execute(conn);
    open = false;
    rows = 0;
    await new Promise((resolve) => setTimeout(resolve, 20));
  };
  return {
    async batch(batch) {
      if (!open) {
        await sql`begin immediate`.execute(conn);
        open = true;
        newId = groupedIds();
      }
      const outcome = await insertBatch(deps, createLegacyMemberRepository(conn), batch, now, newId);
      rows += batch.length;
      if (rows >= commitRows) await commit();
      return outcome;
    },
    finish: commit,
    async abandon() {
      if (open) await sql`rollback`.execute(conn);
      open = false;
    },
  };
}

/** Retries a batch that lost a race (a unique violation from a concurrent join, or a busy database). */
async function withRetries<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      const retryable = uniqueViolation(error) !== undefined || code.startsWith('SQLITE_BUSY') || code === '40001' || code === '40P01';
      if (!retryable || attempt >= MAX_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}
