import type { Kysely } from 'kysely';

// Incident response (src/ops/incidents). `incident_members` is the scope frozen when the incident is
// opened, one row per affected member, with one column per step that is set in the same transaction
// as the step's work, so an interrupted step resumes where it stopped. No foreign key to members:
// the record of who was affected outlives the accounts.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'bigint', (c) => c.notNull())
    .addColumn('window_from', 'bigint', (c) => c.notNull())
    .addColumn('window_to', 'bigint', (c) => c.notNull())
    .addColumn('data_categories', 'text', (c) => c.notNull())
    .addColumn('scope_kind', 'text', (c) => c.notNull())
    .addColumn('scope_arg', 'text')
    .addColumn('contact', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('counts', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('notice_template', 'text')
    .execute();

  await db.schema
    .createTable('incident_members')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('reset_required_at', 'bigint')
    .addColumn('notified_at', 'bigint')
    .addPrimaryKeyConstraint('incident_members_pk', ['incident_id', 'member_id'])
    .execute();

  await db.schema
    .createTable('incident_steps')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('count', 'integer')
    .addColumn('remaining', 'integer')
    .addColumn('dry_run', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('incident_steps_incident_idx').on('incident_steps').columns(['incident_id', 'started_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['incident_steps', 'incident_members', 'incidents']) await db.schema.dropTable(table).ifExists().execute();
}
