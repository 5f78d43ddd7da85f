import type { Kysely } from 'kysely';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import type { Tables } from './tables.ts';

export interface TotpRecord {
  secret: string;
  confirmed: boolean;
  lastStep: number | null;
}

/** A member's authenticator app. The secret exists in the store only as ciphertext bound to the member. */
export interface TotpRepository {
  find(memberId: string): Promise<TotpRecord | undefined>;
  /** Starts (or restarts) an unconfirmed set-up with a new secret; a confirmed app is never replaced. */
  setPending(memberId: string, secret: string, now: number): Promise<boolean>;
  /** Confirms the set-up and records the step of the confirming code. */
  confirm(memberId: string, step: number, now: number): Promise<boolean>;
  /**
   * Records `step` as used, only if it is later than the last step used: true for the one request
   * that wins, false for a replay (even a concurrent one).
   */
  useStep(memberId: string, step: number): Promise<boolean>;
  remove(memberId: string): Promise<boolean>;
}

export function createTotpRepository(db: Kysely<Tables>, cipher: FieldCipher): TotpRepository {
  const context = (memberId: string) => ({ table: 'member_totp', column: 'secret', rowId: memberId });
  return {
    async find(memberId) {
      const row = await db.selectFrom('member_totp').selectAll().where('member_id', '=', memberId).executeTakeFirst();
      if (!row) return undefined;
      return { secret: cipher.decrypt(row.secret_ct, context(memberId)), confirmed: row.confirmed_at !== null, lastStep: row.last_step === null ? null : Number(row.last_step) };
    },
    async setPending(memberId, secret, now) {
      const secret_ct = cipher.encrypt(secret, context(memberId));
      const updated = await db
        .updateTable('member_totp')
        .set({ secret_ct, created_at: now, last_step: null })
        .where('member_id', '=', memberId)
        .where('confirmed_at', 'is', null)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) > 0) return true;
      await db
        .insertInto('member_totp')
        .values({ member_id: memberId, secret_ct, confirmed_at: null, last_step: null, created_at: now })
        .onConflict((oc) => oc.column('member_id').doNothing())
        .execute();
      // Nothing inserted when a confirmed app is there (or another request won): ours is the row or not.
      const row = await db.selectFrom('member_totp').select('secret_ct').where('member_id', '=', memberId).executeTakeFirst();
      return row?.secret_ct === secret_ct;
    },
    async confirm(memberId, step, now) {
      const updated = await db
        .updateTable('member_totp')
        .set({ confirmed_at: now, last_step: step })
        .where('member_id', '=', memberId)
        .where('confirmed_at', 'is', null)
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    },
    async useStep(memberId, step) {
      const updated = await db
        .updateTable('member_totp')
        .set({ last_step: step })
        .where('member_id', '=', memberId)
        .where('confirmed_at', 'is not', null)
        .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    },
    async remove(memberId) {
      const deleted = await db.deleteFrom('member_totp').where('member_id', '=', memberId).executeTakeFirst();
      return Number(deleted.numDeletedRows) > 0;
    },
  };
}
