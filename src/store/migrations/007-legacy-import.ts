import type { Kysely } from 'kysely';

// Members imported from an operator's old system (src/ops/import).
//
// `members.legacy_id` is the old system's id: an external reference, not personal data. A unique
// index makes a re-run of the same export idempotent (NULLs, i.e. members who joined here, never
// collide on either database).
//
// `credentials.scheme` says what `secret` is, so every state of a password is explicit:
//   argon2id             a PHC string of the password (everything playerpass hashed itself)
//   wrapped:<legacy>     a PHC argon2id (with the pepper) of the legacy digest: the weak hash is gone
//   pending:<legacy>     the legacy digest AES-GCM-encrypted under the keyring's 'legacy' key, waiting
//                        for the wrap job (src/ops/import/wrap-job.ts); `key_version` is that key's
//   <legacy> ∈ md5 | sha1 | sha256-salted | bcrypt | pbkdf2-sha256
// `salt` holds what recomputing the legacy digest needs besides the password, none of it secret: the
// sha256-salted salt, `<minor>:<cost>:<salt>` for bcrypt, `<iterations>:<salt>` for pbkdf2-sha256.
//
// No index for the wrap job: it walks pending rows in member id order on the primary key's index
// (member_id, kind), a cursor carrying it from page to page. A partial index of pending rows would
// be one more randomly-keyed B-tree to update per imported row, and on SQLite each such update is a
// page rewritten in the WAL: the bulk import's cost is mostly these page writes.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('members').addColumn('legacy_id', 'text').execute();
  await db.schema.createIndex('members_legacy_id_unique').on('members').column('legacy_id').unique().execute();

  await db.schema.alterTable('credentials').addColumn('scheme', 'text', (c) => c.notNull().defaultTo('argon2id')).execute();
  await db.schema.alterTable('credentials').addColumn('salt', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('credentials').dropColumn('salt').execute();
  await db.schema.alterTable('credentials').dropColumn('scheme').execute();
  await db.schema.dropIndex('members_legacy_id_unique').ifExists().execute();
  await db.schema.alterTable('members').dropColumn('legacy_id').execute();
}
