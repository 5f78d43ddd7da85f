import type { Kysely } from 'kysely';

// The tamper-evident audit trail (src/ops/audit). `seq` is assigned by the appender (1, 2, 3…), not
// by the database, so a deleted row leaves a gap the verifier sees. No foreign key to members:
// events outlive the members they are about.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_events')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text')
    .addColumn('ip_prefix', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('key_version', 'integer', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_events_member_at_idx').on('audit_events').columns(['member_id', 'at']).execute();
  await db.schema.createIndex('audit_events_type_at_idx').on('audit_events').columns(['type', 'at']).execute();
  await db.schema.createIndex('audit_events_at_idx').on('audit_events').column('at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_events').ifExists().execute();
}
