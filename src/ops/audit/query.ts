import { sql, type Kysely } from 'kysely';
import type { AuditEventRow, Tables } from '../../store/tables.ts';
import type { AuditData } from './canonical.ts';

export interface AuditEntry {
  seq: number;
  id: string;
  at: number;
  type: string;
  memberId: string | null;
  ipPrefix: string | null;
  data: AuditData;
}

export interface AuditFilter {
  memberId?: string;
  type?: string;
  /** Matches stored prefixes that start with this text: `203.0.113` finds `203.0.113.0/24`. */
  ipPrefix?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  limit?: number;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;

/** Matching events, newest first. */
export async function searchAudit(db: Kysely<Tables>, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  let query = db.selectFrom('audit_events').selectAll();
  if (filter.memberId !== undefined) query = query.where('member_id', '=', filter.memberId);
  if (filter.type !== undefined) query = query.where('type', '=', filter.type);
  // substr rather than LIKE: no wildcard escaping, and the same meaning on SQLite and PostgreSQL.
  if (filter.ipPrefix) query = query.where(sql<boolean>`substr(ip_prefix, 1, ${filter.ipPrefix.length}) = ${filter.ipPrefix}`);
  if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('at', '<', filter.to);
  const rows = await query.orderBy('at', 'desc').orderBy('seq', 'desc').limit(clampLimit(filter.limit)).execute();
  return rows.map(toEntry);
}

/** The last `limit` events, oldest of them first (like `tail`). */
export async function tailAudit(db: Kysely<Tables>, limit: number = DEFAULT_LIMIT): Promise<AuditEntry[]> {
  const rows = await db.selectFrom('audit_events').selectAll().orderBy('seq', 'desc').limit(clampLimit(limit)).execute();
  return rows.reverse().map(toEntry);
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(Math.max(1, Math.floor(limit)), MAX_LIMIT);
}

function toEntry(row: AuditEventRow): AuditEntry {
  return {
    seq: Number(row.seq),
    id: row.id,
    at: Number(row.at),
    type: row.type,
    memberId: row.member_id,
    ipPrefix: row.ip_prefix,
    data: parseData(row.data),
  };
}

/** A hand-edited row may hold anything: show it rather than fail the whole listing. */
function parseData(text: string): AuditData {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as AuditData;
  } catch {
    // fall through
  }
  return { unparsable: text };
}
