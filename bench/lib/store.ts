import { randomBytes } from 'node:crypto';
import pg from 'pg';

export type BenchStoreKind = 'sqlite' | 'postgres';

export interface BenchStore {
  kind: BenchStoreKind;
  /** Settings to add to the service's environment (none for SQLite in the data dir). */
  env: Record<string, string>;
  /** Drops a database this bench created; leaves one it was given alone. */
  release(): Promise<void>;
}

const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * The store a bench runs on: `BENCH_STORE=postgres` makes a fresh database on the local server
 * (`BENCH_PG_URL`, default the one tests use) and drops it afterwards, unless `BENCH_DATABASE_URL`
 * names one to reuse (e.g. an already seeded store).
 */
export async function benchStore(kind: BenchStoreKind = storeFromEnv()): Promise<BenchStore> {
  if (kind === 'sqlite') return { kind, env: {}, release: async () => {} };
  if (process.env.BENCH_DATABASE_URL) return { kind, env: { PLAYERPASS_DATABASE_URL: process.env.BENCH_DATABASE_URL }, release: async () => {} };
  const name = `playerpass_bench_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { kind, env: { PLAYERPASS_DATABASE_URL: url.toString() }, release: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export function storeFromEnv(): BenchStoreKind {
  const kind = process.env.BENCH_STORE ?? 'sqlite';
  if (kind !== 'sqlite' && kind !== 'postgres') throw new Error(`BENCH_STORE must be sqlite or postgres, not ${kind}`);
  return kind;
}

export const storeLabel = (kind: BenchStoreKind) => (kind === 'postgres' ? 'PostgreSQL' : 'SQLite');

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
