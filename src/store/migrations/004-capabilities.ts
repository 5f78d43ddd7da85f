import type { Kysely } from 'kysely';

// Maintenance switches (src/ops/maintenance). A capability with no row is on, so a fresh database
// needs no seed rows and a new capability needs no migration.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('capabilities')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('capabilities').ifExists().execute();
}
