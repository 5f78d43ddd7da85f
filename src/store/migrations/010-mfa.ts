import type { Kysely } from 'kysely';

// Second factors (src/flows/mfa): an authenticator app's secret (encrypted), single-use recovery
// codes (hashed), passkeys (public keys only), and the short-lived challenges of the sign-in step
// and of WebAuthn ceremonies, kept in the store so any node can finish what another one started.
export async function up(db: Kysely<unknown>): Promise<void> {
  // One authenticator app per member. `confirmed_at` null: set up but not confirmed with a code yet.
  // `last_step`: the TOTP time step last accepted, so a code works once.
  await db.schema
    .createTable('member_totp')
    .addColumn('member_id', 'text', (c) => c.primaryKey().references('members.id').onDelete('cascade'))
    .addColumn('secret_ct', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'bigint')
    .addColumn('last_step', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // SHA-256 of each code (80 random bits, bound to the member): a copy of the table redeems nothing.
  await db.schema
    .createTable('recovery_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('recovery_codes_member_idx').on('recovery_codes').column('member_id').execute();

  // WebAuthn credentials. The member's name for each is encrypted like any other personal data.
  await db.schema
    .createTable('passkeys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('credential_id', 'text', (c) => c.notNull().unique())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('counter', 'bigint', (c) => c.notNull())
    .addColumn('transports', 'text')
    .addColumn('name_ct', 'text', (c) => c.notNull())
    .addColumn('backed_up', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex('passkeys_member_idx').on('passkeys').column('member_id').execute();

  // `id` is the SHA-256 of the challenge id the client holds. `member_id` is null for a passwordless
  // sign-in, where the passkey names the member.
  await db.schema
    .createTable('mfa_challenges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.references('members.id').onDelete('cascade'))
    .addColumn('session_id', 'text')
    .addColumn('webauthn_challenge', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mfa_challenges_expires_idx').on('mfa_challenges').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['mfa_challenges', 'passkeys', 'recovery_codes', 'member_totp']) await db.schema.dropTable(table).ifExists().execute();
}
