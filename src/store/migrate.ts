import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import * as initial from './migrations/001-initial.ts';
import * as memberKindMarker from './migrations/009-member-kind-marker.ts';
import * as signInProtection from './migrations/003-sign-in-protection.ts';
import * as audit from './migrations/002-audit.ts';
import * as capabilities from './migrations/004-capabilities.ts';
import * as webhooks from './migrations/006-webhooks.ts';
import * as incidents from './migrations/005-incidents.ts';
import * as legacyImport from './migrations/007-legacy-import.ts';
import * as oidc from './migrations/008-oidc.ts';
import * as mfa from './migrations/010-mfa.ts';
import * as oidcPayloadAccount from './migrations/011-oidc-payload-account.ts';
import * as sessionAmr from './migrations/012-session-amr.ts';
import * as outboxEraseSent from './migrations/013-outbox-erase-sent.ts';
import * as pendingCredentialsIndex from './migrations/014-pending-credentials-index.ts';

/** Every migration, in order. Listed here rather than read from disk so nothing depends on the cwd. */
const migrations: Record<string, Migration> = {
  '001-initial': initial,
  '002-audit': audit,
  '003-sign-in-protection': signInProtection,
  '004-capabilities': capabilities,
  '005-incidents': incidents,
  '006-webhooks': webhooks,
  '007-legacy-import': legacyImport,
  '008-oidc': oidc,
  '009-member-kind-marker': memberKindMarker,
  '010-mfa': mfa,
  '011-oidc-payload-account': oidcPayloadAccount,
  '012-session-amr': sessionAmr,
  '013-outbox-erase-sent': outboxEraseSent,
  '014-pending-credentials-index': pendingCredentialsIndex,
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
