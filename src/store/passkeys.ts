import type { Kysely } from 'kysely';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import type { PasskeyRow } from './mfa-tables.ts';
import type { Tables } from './tables.ts';

export interface PasskeyRecord {
  id: string;
  memberId: string;
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  name: string;
  backedUp: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

/** A member's WebAuthn credentials: public keys and counters, and the name the member gave each (encrypted). */
export interface PasskeyRepository {
  insert(passkey: PasskeyRecord): Promise<void>;
  list(memberId: string): Promise<PasskeyRecord[]>;
  count(memberId: string): Promise<number>;
  findByCredentialId(credentialId: string): Promise<PasskeyRecord | undefined>;
  rename(memberId: string, id: string, name: string): Promise<boolean>;
  remove(memberId: string, id: string): Promise<boolean>;
  /** Stores the new signature counter, only if nobody stored a later one meanwhile. */
  used(id: string, oldCounter: number, newCounter: number, now: number): Promise<boolean>;
}

export function createPasskeyRepository(db: Kysely<Tables>, cipher: FieldCipher): PasskeyRepository {
  const context = (id: string) => ({ table: 'passkeys', column: 'name', rowId: id });
  const open = (row: PasskeyRow): PasskeyRecord => ({
    id: row.id,
    memberId: row.member_id,
    credentialId: row.credential_id,
    publicKey: row.public_key,
    counter: Number(row.counter),
    transports: row.transports ? row.transports.split(',') : [],
    name: cipher.decrypt(row.name_ct, context(row.id)),
    backedUp: row.backed_up === 1,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  });
  return {
    async insert(passkey) {
      await db
        .insertInto('passkeys')
        .values({
          id: passkey.id,
          member_id: passkey.memberId,
          credential_id: passkey.credentialId,
          public_key: passkey.publicKey,
          counter: passkey.counter,
          transports: passkey.transports.length > 0 ? passkey.transports.join(',') : null,
          name_ct: cipher.encrypt(passkey.name, context(passkey.id)),
          backed_up: passkey.backedUp ? 1 : 0,
          created_at: passkey.createdAt,
          last_used_at: passkey.lastUsedAt,
        })
        .execute();
    },
    async list(memberId) {
      const rows = await db.selectFrom('passkeys').selectAll().where('member_id', '=', memberId).orderBy('created_at').orderBy('id').execute();
      return rows.map(open);
    },
    async count(memberId) {
      const row = await db.selectFrom('passkeys').select(db.fn.countAll<number>().as('n')).where('member_id', '=', memberId).executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    async findByCredentialId(credentialId) {
      const row = await db.selectFrom('passkeys').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
      return row ? open(row) : undefined;
    },
    async rename(memberId, id, name) {
      const updated = await db.updateTable('passkeys').set({ name_ct: cipher.encrypt(name, context(id)) }).where('id', '=', id).where('member_id', '=', memberId).executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    },
    async remove(memberId, id) {
      const deleted = await db.deleteFrom('passkeys').where('id', '=', id).where('member_id', '=', memberId).executeTakeFirst();
      return Number(deleted.numDeletedRows) === 1;
    },
    async used(id, oldCounter, newCounter, now) {
      const updated = await db
        .updateTable('passkeys')
        .set({ counter: newCounter, last_used_at: now })
        .where('id', '=', id)
        .where('counter', '=', oldCounter)
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    },
  };
}
