import type { Kysely } from 'kysely';
import type { Keyring } from '../../crypto/keyring.ts';
import type { AuditEventRow, Tables } from '../../store/tables.ts';
import { computeHash, GENESIS_HASH } from './chain.ts';

export type AuditProblem = 'altered' | 'removed' | 'inserted' | 'unknown_key';

/** `rows`: how many rows were found good (before the first bad one). */
export type AuditVerifyResult = { ok: true; rows: number } | { ok: false; rows: number; firstBadSeq: number; problem: AuditProblem };

export interface AuditHead {
  seq: number;
  hash: string;
}

export interface VerifyOptions {
  batchSize?: number;
  onProgress?: (rowsChecked: number) => void;
  /** A head saved earlier (see chainHead): catches rows cut from the end, which the chain cannot. */
  expectHead?: AuditHead;
}

/** How far a renumbered row may have moved, and how far ahead to look for where the chain resumes. */
const MAX_SHIFT = 10_000;
const LOOKAHEAD = 64;

/**
 * Walks the trail in seq order, batch by batch (flat memory), and reports the first bad row.
 * Only the key holder can make a row's hash match its content, and every row's hash covers its own
 * `seq` and `prev_hash`; so a row whose hash matches is exactly a row the appender wrote, at the
 * place it wrote it. Checked in this order, for each row R after the last good row P:
 *
 * - `unknown_key`: R's key_version has no audit key in the keyring (a lost key, or a forged version).
 * - `inserted`: R.seq is not an integer or not above P.seq (for the first row: below 1). The appender
 *   writes only 1, 2, 3…, so R was squeezed in (seq is the primary key, so a duplicate seq cannot
 *   exist; a copied row under a new seq fails its hash).
 * - `removed` at R.seq: a gap (R.seq > P.seq + 1, or the first row is not 1): rows were deleted and
 *   R is the row after the gap.
 * - R's hash does not match its content:
 *   - `removed`: R's content matches under a higher seq (up to MAX_SHIFT): R is a genuine row that
 *     moved down, i.e. rows before it were deleted and the rest renumbered to hide the gap.
 *   - `inserted`: a row among the next LOOKAHEAD matches under R.seq and chains to P: the chain
 *     resumes there, so R (and any rows up to it) were forged in and the genuine rows renumbered up.
 *   - `altered` otherwise: R's content or hash was changed in place. A forged row appended at the end
 *     is reported as `altered` too: with nothing after it, it cannot be told from an edited last row.
 * - `inserted`: R's hash matches but R.prev_hash is not P's hash. Both are genuine rows at their own
 *   seqs yet do not link: one was spliced in from another copy of the trail made with the same key.
 *
 * Deleting the LAST rows leaves a shorter chain that is still valid: nothing in the table can show
 * it. Save `chainHead()` elsewhere (a log, a ticket, another system) and pass it as `expectHead`.
 */
export async function verifyAuditChain(db: Kysely<Tables>, keyring: Keyring, options: VerifyOptions = {}): Promise<AuditVerifyResult> {
  const batchSize = options.batchSize ?? 1000;
  let prev: AuditHead | undefined;
  let rows = 0;
  for (;;) {
    let query = db.selectFrom('audit_events').selectAll().orderBy('seq').limit(batchSize);
    if (prev) query = query.where('seq', '>', prev.seq);
    const batch = await query.execute();
    for (const row of batch) {
      const problem = await checkRow(db, keyring, row, prev);
      if (problem) return { ok: false, rows, firstBadSeq: Number(row.seq), problem };
      prev = { seq: Number(row.seq), hash: row.hash };
      rows++;
    }
    options.onProgress?.(rows);
    if (batch.length < batchSize) break;
  }
  const head = options.expectHead;
  if (head && (!prev || prev.seq < head.seq)) return { ok: false, rows, firstBadSeq: (prev?.seq ?? 0) + 1, problem: 'removed' };
  if (head) {
    // The walk passed, so the row now at head.seq is genuine: another hash there means the saved
    // row was cut off and the chain grew again from before it.
    const at = await db.selectFrom('audit_events').select('hash').where('seq', '=', head.seq).executeTakeFirst();
    if (at?.hash !== head.hash) return { ok: false, rows, firstBadSeq: head.seq, problem: 'removed' };
  }
  return { ok: true, rows };
}

/** The last row's seq and hash, to keep outside the database (see verifyAuditChain). */
export async function chainHead(db: Kysely<Tables>): Promise<AuditHead | undefined> {
  const last = await db.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return last && { seq: Number(last.seq), hash: last.hash };
}

async function checkRow(db: Kysely<Tables>, keyring: Keyring, row: AuditEventRow, prev: AuditHead | undefined): Promise<AuditProblem | undefined> {
  const key = keyring.get('audit', Number(row.key_version));
  if (!key) return 'unknown_key';
  const seq = Number(row.seq);
  const expected = prev ? prev.seq + 1 : 1;
  if (!Number.isSafeInteger(seq) || seq < expected) return 'inserted';
  if (seq > expected) return 'removed';
  const prevHash = prev?.hash ?? GENESIS_HASH;
  if (!matches(key.secret, row, seq)) return explainMismatch(db, keyring, row, seq, prevHash);
  return row.prev_hash === prevHash ? undefined : 'inserted';
}

function matches(secret: Buffer, row: AuditEventRow, asSeq: number): boolean {
  return computeHash(secret, row.prev_hash, { ...row, seq: asSeq }) === row.hash;
}

async function explainMismatch(db: Kysely<Tables>, keyring: Keyring, row: AuditEventRow, seq: number, prevHash: string): Promise<AuditProblem> {
  const key = keyring.get('audit', Number(row.key_version))!;
  for (let shift = 1; shift <= MAX_SHIFT; shift++) if (matches(key.secret, row, seq + shift)) return 'removed';
  const next = await db.selectFrom('audit_events').selectAll().where('seq', '>', seq).orderBy('seq').limit(LOOKAHEAD).execute();
  for (const later of next) {
    const laterKey = keyring.get('audit', Number(later.key_version));
    if (laterKey && later.prev_hash === prevHash && matches(laterKey.secret, later, seq)) return 'inserted';
  }
  return 'altered';
}
