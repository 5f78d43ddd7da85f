import type { Kysely } from 'kysely';

// How a session was signed in to, as RFC 8176 method references (`pwd`, `otp`, `hwk`, `mfa`,
// comma-separated): a game that signs a member in through an existing session learns in the ID
// token's `amr` whether a second factor was used. Older sessions have none: password only.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('amr', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('amr').execute();
}
