import type { Kysely } from 'kysely';
import { randomId } from '../crypto/random.ts';
import type { Tables } from './tables.ts';

export interface StoredRecoveryCode {
  id: string;
  codeHash: string;
}

/** Hashes of a member's recovery codes; a new set replaces the old one whole. */
export interface RecoveryCodeRepository {
  replace(memberId: string, codeHashes: string[], now: number): Promise<void>;
  unused(memberId: string): Promise<StoredRecoveryCode[]>;
  /** Marks one code used; false if it was used meanwhile (two requests racing with one code). */
  markUsed(id: string, now: number): Promise<boolean>;
  removeAll(memberId: string): Promise<void>;
}

export function createRecoveryCodeRepository(db: Kysely<Tables>): RecoveryCodeRepository {
  return {
    async replace(memberId, codeHashes, now) {
      await db.deleteFrom('recovery_codes').where('member_id', '=', memberId).execute();
      await db
        .insertInto('recovery_codes')
        .values(codeHashes.map((code_hash) => ({ id: randomId(), member_id: memberId, code_hash, used_at: null, created_at: now })))
        .execute();
    },
    async unused(memberId) {
      const rows = await db.selectFrom('recovery_codes').select(['id', 'code_hash']).where('member_id', '=', memberId).where('used_at', 'is', null).execute();
      return rows.map((row) => ({ id: row.id, codeHash: row.code_hash }));
    },
    async markUsed(id, now) {
      const updated = await db.updateTable('recovery_codes').set({ used_at: now }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    },
    async removeAll(memberId) {
      await db.deleteFrom('recovery_codes').where('member_id', '=', memberId).execute();
    },
  };
}
