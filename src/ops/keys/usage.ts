import { sql, type Kysely } from 'kysely';
import { keyPurposes, type Keyring, type KeyPurpose } from '../../crypto/keyring.ts';
import type { Tables } from '../../store/tables.ts';

/**
 * Every column encrypted with the field key: table, primary key, column, and the column name the
 * associated data uses (src/crypto/field-cipher.ts). A new `*_ct` column belongs here, or the field
 * job will not re-encrypt it and `keys retire field` will not see that it still needs an old key.
 * (Not here: the device code id sealed inside `oidc_payloads.payload`, which lives minutes and reads
 * as expired once its key is retired — src/oidc/adapter.ts.)
 */
export const encryptedColumns = [
  { table: 'members', key: 'id', column: 'display_name_ct', context: 'display_name' },
  { table: 'members', key: 'id', column: 'email_ct', context: 'email' },
  { table: 'members', key: 'id', column: 'birth_date_ct', context: 'birth_date' },
  { table: 'sessions', key: 'id', column: 'device_ct', context: 'device' },
  { table: 'one_time_tokens', key: 'id', column: 'payload_ct', context: 'payload' },
  { table: 'outbox', key: 'id', column: 'recipient_ct', context: 'recipient' },
  { table: 'outbox', key: 'id', column: 'payload_ct', context: 'payload' },
  { table: 'webhooks', key: 'id', column: 'secret_ct', context: 'secret' },
  { table: 'oidc_keys', key: 'kid', column: 'jwk_ct', context: 'jwk' },
  { table: 'member_totp', key: 'member_id', column: 'secret_ct', context: 'secret' },
  { table: 'passkeys', key: 'id', column: 'name_ct', context: 'name' },
] as const;

export type EncryptedColumn = (typeof encryptedColumns)[number];

/** The members' blind-indexed columns, stored as `<index key version>.<mac>`. */
export const indexedColumns = ['email_idx', 'display_name_idx', 'kind_marker'] as const;

/** Prefix of a value written with `version`, as a LIKE pattern (versions are integers: nothing to escape). */
export const versionPattern = (purpose: 'field' | 'index', version: number) => (purpose === 'field' ? `v1.${version}.%` : `${version}.%`);

export interface VersionUse {
  version: number;
  active: boolean;
  /** Rows that need this version (undefined: not tracked, for cookie keys). */
  uses: number | undefined;
  /** Per column or table, only where not zero. */
  where: Record<string, number>;
}

export interface PurposeUsage {
  purpose: KeyPurpose;
  versions: VersionUse[];
  /** Rows on a version the keyring does not have (unreadable until that key is restored). */
  unknown: number;
}

/** Per purpose: the versions known, the active one, and how many rows still need each. */
export async function keyUsage(db: Kysely<Tables>, keyring: Keyring, purposes: readonly KeyPurpose[] = keyPurposes): Promise<PurposeUsage[]> {
  const result: PurposeUsage[] = [];
  for (const purpose of purposes) {
    const versions = keyring.all(purpose).map((key) => key.version);
    const active = keyring.current(purpose).version;
    const counts = new Map<number, Record<string, number>>(versions.map((v) => [v, {}]));
    let unknown = 0;
    const add = (version: number, where: string, count: number) => {
      if (count === 0) return;
      const entry = counts.get(version);
      if (entry) entry[where] = (entry[where] ?? 0) + count;
      else unknown += count;
    };
    if (purpose === 'field' || purpose === 'index') {
      const columns = purpose === 'field' ? encryptedColumns.map((c) => [c.table, c.column] as const) : indexedColumns.map((c) => ['members', c] as const);
      for (const [table, column] of columns) {
        const byVersion = await countByPrefix(db, table, column, versions.map((v) => versionPattern(purpose, v)));
        versions.forEach((version, i) => add(version, `${table}.${column}`, byVersion.matched[i]!));
        unknown += byVersion.total - byVersion.matched.reduce((a, b) => a + b, 0);
      }
    } else if (purpose === 'pepper' || purpose === 'legacy') {
      // credentials.key_version is the pepper's version, except for pending legacy passwords: the legacy key's.
      const rows = await db
        .selectFrom('credentials')
        .select(['key_version', (eb) => eb.fn.countAll<number>().as('n')])
        .where('scheme', purpose === 'legacy' ? 'like' : 'not like', 'pending:%')
        .groupBy('key_version')
        .execute();
      for (const row of rows) add(Number(row.key_version), 'credentials', Number(row.n));
    } else if (purpose === 'audit') {
      const rows = await db.selectFrom('audit_events').select(['key_version', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('key_version').execute();
      for (const row of rows) add(Number(row.key_version), 'audit_events', Number(row.n));
    }
    const tracked = purpose !== 'cookie';
    result.push({
      purpose,
      unknown,
      versions: versions.map((version) => {
        const where = counts.get(version)!;
        return { version, active: version === active, uses: tracked ? Object.values(where).reduce((a, b) => a + b, 0) : undefined, where };
      }),
    });
  }
  return result;
}

/** How many rows of `purpose` still need `version` (0 for untracked cookie keys). */
export async function usesOf(db: Kysely<Tables>, keyring: Keyring, purpose: KeyPurpose, version: number): Promise<number> {
  const [usage] = await keyUsage(db, keyring, [purpose]);
  return usage!.versions.find((v) => v.version === version)?.uses ?? 0;
}

async function countByPrefix(db: Kysely<Tables>, table: string, column: string, patterns: string[]): Promise<{ total: number; matched: number[] }> {
  const anyDb = db as unknown as Kysely<Record<string, Record<string, string | null>>>;
  const row = (await anyDb
    .selectFrom(table)
    .select([
      // An erased value ('', a sent mail's recipient) needs no key.
      sql<number>`count(nullif(${sql.ref(column)}, ''))`.as('total'),
      ...patterns.map((pattern, i) => sql<number>`coalesce(sum(case when ${sql.ref(column)} like ${pattern} then 1 else 0 end), 0)`.as(`m${i}`)),
    ])
    .executeTakeFirstOrThrow()) as Record<string, unknown>;
  return { total: Number(row.total), matched: patterns.map((_, i) => Number(row[`m${i}`])) };
}
