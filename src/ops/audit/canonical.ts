import type { AuditEventRow } from '../../store/tables.ts';

/** Every stored field the hash covers: all of the row but `hash` itself. */
export type HashedFields = Omit<AuditEventRow, 'hash'>;

export type AuditData = Record<string, string | number | boolean | null>;

/**
 * The bytes the chain hashes for one row. Keys in a fixed (alphabetical) order and numbers through
 * Number(), so the result does not depend on the driver (pg may hand bigints back as strings) or on
 * the order columns were selected in. A format tag lets a later format coexist with this one.
 */
export function canonicalRow(row: HashedFields): string {
  return JSON.stringify({
    at: Number(row.at),
    data: row.data,
    format: 'playerpass-audit-1',
    id: row.id,
    ip_prefix: row.ip_prefix ?? null,
    key_version: Number(row.key_version),
    member_id: row.member_id ?? null,
    prev_hash: row.prev_hash,
    seq: Number(row.seq),
    type: row.type,
  });
}

/** The `data` column: a JSON object with sorted keys, so equal data is always equal text. */
export function canonicalData(data: AuditData): string {
  const sorted: AuditData = {};
  for (const key of Object.keys(data).sort()) sorted[key] = data[key] as AuditData[string];
  return JSON.stringify(sorted);
}
