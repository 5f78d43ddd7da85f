import type { Kysely } from 'kysely';

// Which members are canaries must not be readable from a copy of the database: a thief would
// simply skip them. Every member gets a keyed marker instead of a plain flag; without the index key
// a canary's marker looks like anyone else's.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('members').addColumn('kind_marker', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('members').dropColumn('kind_marker').execute();
}
