import type { Kysely } from 'kysely';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import { randomId } from '../crypto/random.ts';
import type { Tables, TokenPurpose } from './tables.ts';

export type ConsumeResult =
  | { ok: true; memberId: string; payload: string | null }
  | { ok: false; reason: 'token_invalid' | 'token_expired' | 'token_used' };

/**
 * Single-use tokens mailed as links (verify email, reset password, change email). Only the token's
 * hash is stored; a payload (such as the new email address) is stored encrypted.
 */
export interface OneTimeTokenRepository {
  issue(input: { memberId: string; purpose: TokenPurpose; tokenHash: string; payload?: string; now: number; expiresAt: number }): Promise<void>;
  consume(tokenHash: string, purpose: TokenPurpose, now: number): Promise<ConsumeResult>;
  peek(tokenHash: string, purpose: TokenPurpose, now: number): Promise<ConsumeResult>;
  voidAll(memberId: string, purpose: TokenPurpose, now: number): Promise<void>;
}

export function createOneTimeTokenRepository(db: Kysely<Tables>, cipher: FieldCipher): OneTimeTokenRepository {
  const context = (id: string) => ({ table: 'one_time_tokens', column: 'payload', rowId: id });

  async function check(tokenHash: string, purpose: TokenPurpose, now: number) {
    const row = await db.selectFrom('one_time_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    if (!row || row.purpose !== purpose) return { result: { ok: false, reason: 'token_invalid' } as const };
    if (row.used_at !== null) return { result: { ok: false, reason: 'token_used' } as const };
    if (row.expires_at <= now) return { result: { ok: false, reason: 'token_expired' } as const };
    const payload = row.payload_ct ? cipher.decrypt(row.payload_ct, context(row.id)) : null;
    return { row, result: { ok: true, memberId: row.member_id, payload } as const };
  }

  return {
    async issue(input) {
      // A new reset or email-change link voids the earlier ones; earlier verification links all
      // confirm the same address, so they stay valid until they expire.
      if (input.purpose !== 'verify_email') await this.voidAll(input.memberId, input.purpose, input.now);
      const id = randomId();
      await db
        .insertInto('one_time_tokens')
        .values({
          id,
          token_hash: input.tokenHash,
          member_id: input.memberId,
          purpose: input.purpose,
          payload_ct: input.payload === undefined ? null : cipher.encrypt(input.payload, context(id)),
          expires_at: input.expiresAt,
          used_at: null,
          created_at: input.now,
        })
        .execute();
    },
    async peek(tokenHash, purpose, now) {
      return (await check(tokenHash, purpose, now)).result;
    },
    async consume(tokenHash, purpose, now) {
      const { row, result } = await check(tokenHash, purpose, now);
      if (!row) return result;
      // The conditional update makes two concurrent uses of one link succeed at most once.
      const updated = await db
        .updateTable('one_time_tokens')
        .set({ used_at: now })
        .where('id', '=', row.id)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1 ? result : { ok: false, reason: 'token_used' };
    },
    async voidAll(memberId, purpose, now) {
      await db
        .updateTable('one_time_tokens')
        .set({ used_at: now })
        .where('member_id', '=', memberId)
        .where('purpose', '=', purpose)
        .where('used_at', 'is', null)
        .execute();
    },
  };
}
