import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Consecutive failed sign-ins; past the limit even the right password needs a reset link.
  await db.schema.alterTable('members').addColumn('failed_sign_ins', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  // Devices a member signed in from: SHA-256 of the random id in the signed device cookie.
  await db.schema
    .createTable('member_devices')
    .addColumn('member_id', 'text', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('device_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('member_devices_pk', ['member_id', 'device_hash'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('member_devices').ifExists().execute();
  await db.schema.alterTable('members').dropColumn('failed_sign_ins').execute();
}
