import type { Kysely } from 'kysely';

// OpenID Connect (src/oidc): what oidc-provider persists through its adapter, the client registry,
// the signing keys and the opaque subject of each member. See src/store/oidc-tables.ts.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Every artefact oidc-provider keeps (sessions, grants, codes, tokens, interactions, …). Lookup
  // keys are SHA-256 hashes of the values a client holds, so a copy of the table grants nothing.
  await db.schema
    .createTable('oidc_payloads')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('user_code', 'text')
    .addColumn('uid', 'text')
    .addColumn('expires_at', 'bigint')
    .addColumn('consumed_at', 'bigint')
    .addPrimaryKeyConstraint('oidc_payloads_pk', ['kind', 'id'])
    .execute();
  await db.schema.createIndex('oidc_payloads_grant').on('oidc_payloads').columns(['grant_id']).execute();
  await db.schema.createIndex('oidc_payloads_user_code').on('oidc_payloads').columns(['user_code']).execute();
  await db.schema.createIndex('oidc_payloads_uid').on('oidc_payloads').columns(['uid']).execute();
  await db.schema.createIndex('oidc_payloads_expires').on('oidc_payloads').columns(['expires_at']).execute();

  // Registered by `playerpass clients add`; a confidential client's secret only as a SHA-256 hash.
  await db.schema
    .createTable('oidc_clients')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('allowed_scopes', 'text', (c) => c.notNull())
    .addColumn('grant_types', 'text', (c) => c.notNull())
    .addColumn('first_party', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // Token signing keys: private JWKs encrypted with the keyring's field key.
  await db.schema
    .createTable('oidc_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('jwk_ct', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('retired_at', 'bigint')
    .execute();

  // The `sub` a member has towards every client: random, so it reveals neither the member id nor the email.
  await db.schema
    .createTable('oidc_subjects')
    .addColumn('sub', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull().unique().references('members.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['oidc_subjects', 'oidc_keys', 'oidc_clients', 'oidc_payloads']) await db.schema.dropTable(table).ifExists().execute();
}
