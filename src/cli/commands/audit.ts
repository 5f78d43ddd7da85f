import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load.ts';
import { loadKeyring } from '../../crypto/keyring.ts';
import { searchAudit, tailAudit, type AuditFilter } from '../../ops/audit/query.ts';
import { chainHead, verifyAuditChain, type AuditHead } from '../../ops/audit/verify.ts';
import { openDatabase } from '../../store/database.ts';
import { checkKeyringMatches } from '../../store/keyring-check.ts';
import { migrateToLatest } from '../../store/migrate.ts';

const usage = `usage: playerpass audit <verify|head|tail|search> [options]
  verify [--head SEQ:HASH]   walk the hash chain; exit 1 at the first altered, removed or inserted row
  head                       print the last row's seq:hash (keep it elsewhere; pass it to verify --head)
  tail [--limit N]           the last N events, oldest first
  search [--member ID] [--type T] [--ip PREFIX] [--from ISO] [--to ISO] [--limit N]   newest first`;

const options = {
  limit: { type: 'string' },
  member: { type: 'string' },
  type: { type: 'string' },
  ip: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  head: { type: 'string' },
} as const;

/** `playerpass audit …`: 0 when done (or the chain is intact), 1 when it is broken, 2 on bad usage. */
export async function audit(args: string[], print: (line: string) => void): Promise<number> {
  const [verb = '', ...rest] = args;
  let request: { limit: number | undefined; filter: AuditFilter; head: AuditHead | undefined };
  try {
    if (!['verify', 'head', 'tail', 'search'].includes(verb)) throw new AuditUsageError(`unknown audit command "${verb}"`);
    request = parseOptions(parseArgs({ args: rest, options, strict: true, allowPositionals: false }).values);
  } catch (error) {
    print(`playerpass audit: ${(error as Error).message}\n\n${usage}`);
    return 2;
  }

  const config = loadConfig();
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    await migrateToLatest(database.db);
    if (verb === 'tail' || verb === 'search') {
      const entries = verb === 'tail' ? await tailAudit(database.db, request.limit) : await searchAudit(database.db, request.filter);
      for (const entry of entries) print(JSON.stringify({ ...entry, at: new Date(entry.at).toISOString() }));
      return 0;
    }
    const { keyring } = loadKeyring({ keysJson: config.keys, keyFile: config.keyFile });
    await checkKeyringMatches(database.db, keyring);
    if (verb === 'head') {
      const head = await chainHead(database.db);
      print(head ? `${head.seq}:${head.hash}` : 'audit trail is empty');
      return 0;
    }
    const result = await verifyAuditChain(database.db, keyring, request.head ? { expectHead: request.head } : {});
    print(result.ok ? `audit chain OK: ${result.rows} rows` : `audit chain BROKEN at seq ${result.firstBadSeq} (${result.problem})`);
    return result.ok ? 0 : 1;
  } finally {
    await database.close();
  }
}

function parseOptions(values: Partial<Record<keyof typeof options, string>>) {
  const limit = values.limit === undefined ? undefined : positiveInt(values.limit, '--limit');
  const filter: AuditFilter = {
    ...(values.member !== undefined ? { memberId: values.member } : {}),
    ...(values.type !== undefined ? { type: values.type } : {}),
    ...(values.ip !== undefined ? { ipPrefix: values.ip } : {}),
    ...(values.from !== undefined ? { from: isoTime(values.from, '--from') } : {}),
    ...(values.to !== undefined ? { to: isoTime(values.to, '--to') } : {}),
    ...(limit !== undefined ? { limit } : {}),
  };
  return { limit, filter, head: values.head === undefined ? undefined : parseHead(values.head) };
}

function parseHead(text: string): AuditHead {
  const [seq = '', hash = ''] = text.split(':');
  if (!hash) throw new AuditUsageError(`--head must be SEQ:HASH as printed by "playerpass audit head"`);
  return { seq: positiveInt(seq, '--head'), hash };
}

function positiveInt(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new AuditUsageError(`${name} must be a positive integer, not "${text}"`);
  return value;
}

function isoTime(text: string, name: string): number {
  const value = Date.parse(text);
  if (Number.isNaN(value)) throw new AuditUsageError(`${name} must be an ISO 8601 time, not "${text}"`);
  return value;
}

export class AuditUsageError extends Error {
  override name = 'AuditUsageError';
}
