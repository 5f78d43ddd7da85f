import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import type { Tables } from './tables.ts';

export interface Database {
  db: Kysely<Tables>;
  dialect: 'sqlite' | 'postgres';
  /** Where the SQLite file is; undefined on PostgreSQL. */
  sqlitePath: string | undefined;
  close(): Promise<void>;
}

const INT8_OID = 20;

export function openDatabase(options: { databaseUrl: string | undefined; dataDir: string; poolSize: number }): Database {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize,
      // Timestamps are epoch milliseconds in bigint columns: well inside Number's safe range.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    });
    const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', sqlitePath: undefined, close: () => db.destroy() };
  }
  const dir = resolve(options.dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const sqlitePath = join(dir, 'playerpass.sqlite');
  const sqlite = new SqliteDatabase(sqlitePath);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // Deleted rows are overwritten, so removed personal data does not linger in free pages.
  sqlite.pragma('secure_delete = ON');
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, dialect: 'sqlite', sqlitePath, close: () => db.destroy() };
}

/**
 * Kysely asks better-sqlite3 to prepare every query it runs; preparing costs more than running a
 * point lookup. Queries are built from a fixed set of shapes, so their statements are kept and
 * reused (bounded, oldest dropped first).
 */
function withStatementCache(sqlite: SqliteDatabase.Database, limit = 500) {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        if (statements.size >= limit) statements.delete(statements.keys().next().value!);
        statements.set(sql, statement);
      }
      return statement;
    },
    close: () => sqlite.close(),
  };
}

/** The constraint a unique violation hit, on either database, or undefined for any other error. */
export function uniqueViolation(error: unknown): string | undefined {
  const e = error as { code?: string; constraint?: string; message?: string };
  if (e?.code === '23505') return e.constraint ?? 'unknown';
  if (e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return e.message ?? 'unknown';
  return undefined;
}
