import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import * as initial from './migrations/001-initial.ts';
import * as signInProtection from './migrations/003-sign-in-protection.ts';
import * as audit from './migrations/002-audit.ts';

/** Every migration, in order. Listed here rather than read from disk so nothing depends on the cwd. */
const migrations: Record<string, Migration> = {
  '001-initial': initial,
  '002-audit': audit,
  '003-sign-in-protection': signInProtection,
};

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) throw result.error instanceof Error ? result.error : new Error(String(result.error));
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  return (await migrator.getMigrations()).filter((m) => !m.executedAt).map((m) => m.name);
}
