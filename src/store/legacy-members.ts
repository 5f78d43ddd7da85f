import { CompiledQuery, PostgresAdapter, sql, type Insertable, type Kysely } from 'kysely';
import type { PasswordScheme, StoredPassword } from '../crypto/password-hasher.ts';
import type { CredentialRow, MemberRow, Tables } from './tables.ts';

/**
 * The batch queries of the legacy import and the wrap job (src/ops/import). Rows arrive already
 * encrypted: this file only moves them.
 *
 * Lists are cut into chunks whose sizes are powers of two (256, 128, …, 1) and `IN` lists are padded
 * to such a size, so a batch of any length uses a handful of statement shapes that the SQLite
 * statement cache keeps prepared, instead of a new multi-kilobyte statement for every batch. The bulk
 * inserts are written as plain parameterised SQL (made once per shape): building Kysely's query tree
 * for 256 rows × 17 values, a million times over, cost more CPU and garbage than the inserts.
 */
export interface LegacyMemberRepository {
  /** Which of these legacy ids are already imported. */
  existingLegacyIds(legacyIds: string[]): Promise<Set<string>>;
  /** Which of these blind-index values are already used by some member. */
  takenIndexes(column: 'email_idx' | 'display_name_idx', values: string[]): Promise<Set<string>>;
  insert(members: Insertable<MemberRow>[], credentials: Insertable<CredentialRow>[]): Promise<void>;
  /**
   * Up to `limit` pending legacy passwords, in member id order after `afterMemberId`: a range walk on
   * the primary key's index, so paging through the whole table costs one pass whatever is left.
   */
  pending(afterMemberId: string, limit: number): Promise<StoredPassword[]>;
  /** Stores wrapped passwords, each only if its row still holds the pending secret it was made from. */
  replacePending(replacements: { pending: StoredPassword; wrapped: StoredPassword }[], now: number): Promise<number>;
  countPending(): Promise<number>;
  countImported(): Promise<number>;
  countBySchemes(): Promise<Record<string, number>>;
}

const MAX_CHUNK = 256;

const isPending = sql<boolean>`scheme like 'pending:%'`;

/** Splits into power-of-two sized chunks, largest first. */
function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  let size = MAX_CHUNK;
  for (let start = 0; start < items.length; start += size) {
    while (items.length - start < size) size >>= 1;
    out.push(items.slice(start, start + size));
  }
  return out;
}

/** `values` in chunks padded (with their own last value) to a power of two. */
function paddedChunks(values: string[]): string[][] {
  const out: string[][] = [];
  for (let start = 0; start < values.length; start += MAX_CHUNK) {
    const chunk = values.slice(start, start + MAX_CHUNK);
    let size = 1;
    while (size < chunk.length) size <<= 1;
    while (chunk.length < size) chunk.push(chunk[chunk.length - 1]!);
    out.push(chunk);
  }
  return out;
}

const memberColumns = [
  'id', 'display_name_ct', 'display_name_idx', 'email_ct', 'email_idx', 'birth_date_ct', 'status', 'email_verified', 'must_reset',
  'canary', 'key_version', 'failed_sign_ins', 'created_at', 'updated_at', 'legacy_id',
] as const satisfies readonly (keyof MemberRow)[];
const credentialColumns = ['member_id', 'kind', 'secret', 'key_version', 'scheme', 'salt', 'created_at', 'updated_at'] as const satisfies readonly (keyof CredentialRow)[];

const insertSql = new Map<string, string>();

/** `insert into "table" ("a", …) values (?, …), …` for `rows` rows, with the dialect's placeholders. */
function insertStatement(postgres: boolean, table: string, columns: readonly string[], rows: number): string {
  const key = `${postgres}:${table}:${rows}`;
  let text = insertSql.get(key);
  if (!text) {
    let n = 0;
    const tuple = () => `(${columns.map(() => (postgres ? `$${++n}` : '?')).join(', ')})`;
    text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${Array.from({ length: rows }, tuple).join(', ')}`;
    insertSql.set(key, text);
  }
  return text;
}

export function createLegacyMemberRepository(db: Kysely<Tables>): LegacyMemberRepository {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const insertRows = async <T extends object>(table: string, columns: readonly (keyof T & string)[], rows: T[]) => {
    for (const chunk of chunks(rows)) {
      const parameters: unknown[] = [];
      for (const row of chunk) for (const column of columns) parameters.push(row[column] ?? null);
      await db.executeQuery(CompiledQuery.raw(insertStatement(postgres, table, columns, chunk.length), parameters));
    }
  };
  return {
    async existingLegacyIds(legacyIds) {
      const found = new Set<string>();
      for (const chunk of paddedChunks(legacyIds)) {
        const rows = await db.selectFrom('members').select('legacy_id').where('legacy_id', 'in', chunk).execute();
        for (const row of rows) found.add(row.legacy_id!);
      }
      return found;
    },
    async takenIndexes(column, values) {
      const found = new Set<string>();
      for (const chunk of paddedChunks(values)) {
        const rows = await db.selectFrom('members').select(column).where(column, 'in', chunk).execute();
        for (const row of rows) found.add((row as Record<string, string>)[column]!);
      }
      return found;
    },
    async insert(members, credentials) {
      await insertRows('members', memberColumns, members);
      await insertRows('credentials', credentialColumns, credentials);
    },
    async pending(afterMemberId, limit) {
      const rows = await db
        .selectFrom('credentials')
        .select(['member_id', 'secret', 'key_version', 'scheme', 'salt'])
.where('member_id', '>', afterMemberId)
        .where('kind', '=', 'password')
        .where(isPending)
        .orderBy('member_id')
        .limit(limit)
        .execute();
      return rows.map((row) => ({ hash: row.secret, pepperVersion: row.key_version, scheme: row.scheme as PasswordScheme, salt: row.salt, memberId: row.member_id }));
    },
    async replacePending(replacements, now) {
      let replaced = 0;
      await db.transaction().execute(async (trx) => {
        for (const { pending, wrapped } of replacements) {
          const result = await trx
            .updateTable('credentials')
            .set({ secret: wrapped.hash, key_version: wrapped.pepperVersion, scheme: wrapped.scheme ?? 'argon2id', salt: wrapped.salt ?? null, updated_at: now })
            .where('member_id', '=', pending.memberId!)
            .where('kind', '=', 'password')
            // A sign-in may have replaced it with a plain argon2id meanwhile: leave that one alone.
            .where('scheme', '=', pending.scheme!)
            .where('secret', '=', pending.hash)
            .executeTakeFirst();
          replaced += Number(result.numUpdatedRows);
        }
      });
      return replaced;
    },
    async countPending() {
      const row = await db
        .selectFrom('credentials')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where(isPending)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async countImported() {
      const row = await db
        .selectFrom('members')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('legacy_id', 'is not', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async countBySchemes() {
      const rows = await db
        .selectFrom('credentials')
        .select(['scheme', (eb) => eb.fn.countAll<number | string>().as('n')])
        .where('kind', '=', 'password')
        .groupBy('scheme')
        .execute();
      return Object.fromEntries(rows.map((row) => [row.scheme, Number(row.n)]));
    },
  };
}
