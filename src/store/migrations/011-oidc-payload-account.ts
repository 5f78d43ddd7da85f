import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Which member an OIDC artefact (session, grant, code, token) belongs to, by the member's `sub`, so
// that revoking a member's sessions (a reset, "this wasn't me", an incident) also ends what games
// and sites hold: refresh tokens, access tokens, device codes.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('oidc_payloads').addColumn('account_id', 'text').execute();
  await db.schema.createIndex('oidc_payloads_account').on('oidc_payloads').column('account_id').execute();
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const accountOf = postgres ? sql`(payload::json ->> 'accountId')` : sql`json_extract(payload, '$.accountId')`;
  await db.updateTable('oidc_payloads').set({ account_id: accountOf }).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('oidc_payloads_account').ifExists().execute();
  await db.schema.alterTable('oidc_payloads').dropColumn('account_id').execute();
}
