import { sql, type Kysely } from 'kysely';

// The server's idle wrapping looks for imported passwords still pending (`scheme like 'pending:%'`).
// Without an index each look walks every credential: on a million members, seconds of database
// time every minute, long after the last one was wrapped. A partial index holds only the pending
// rows, so it is empty (and free) once wrapping is done. The same text as the queries' predicate,
// so both SQLite and PostgreSQL match it to them.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('credentials_pending_idx').on('credentials').column('member_id').where(sql.ref('scheme'), 'like', 'pending:%').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('credentials_pending_idx').ifExists().execute();
}
