import type { Kysely } from 'kysely';
import type { MfaChallengePurpose, MfaChallengeRow } from './mfa-tables.ts';
import type { Tables } from './tables.ts';

export interface MfaChallengeRecord {
  purpose: MfaChallengePurpose;
  memberId: string | null;
  sessionId: string | null;
  webauthnChallenge: string | null;
  attempts: number;
  expiresAt: number;
}

/**
 * Short-lived steps between two requests (the second sign-in step, a WebAuthn ceremony), found by
 * the SHA-256 of the id the client holds. In the store rather than in memory, so any node can finish
 * a step another one started.
 */
export interface MfaChallengeRepository {
  create(idHash: string, challenge: MfaChallengeRecord, now: number): Promise<void>;
  /** The challenge if it exists, is for `purpose`, unused and unexpired. */
  findLive(idHash: string, purpose: MfaChallengePurpose, now: number): Promise<MfaChallengeRecord | undefined>;
  /** Counts one failed attempt; returns the new count. */
  failed(idHash: string): Promise<number>;
  /** Uses the challenge up; false if another request used it first. */
  consume(idHash: string, now: number): Promise<boolean>;
}

export function createMfaChallengeRepository(db: Kysely<Tables>): MfaChallengeRepository {
  const open = (row: MfaChallengeRow): MfaChallengeRecord => ({
    purpose: row.purpose,
    memberId: row.member_id,
    sessionId: row.session_id,
    webauthnChallenge: row.webauthn_challenge,
    attempts: row.attempts,
    expiresAt: Number(row.expires_at),
  });
  return {
    async create(idHash, challenge, now) {
      // Expired steps are of no use to anyone: each new one sweeps those a day past their expiry.
      await db.deleteFrom('mfa_challenges').where('expires_at', '<', now - 86_400_000).execute();
      await db
        .insertInto('mfa_challenges')
        .values({
          id: idHash,
          purpose: challenge.purpose,
          member_id: challenge.memberId,
          session_id: challenge.sessionId,
          webauthn_challenge: challenge.webauthnChallenge,
          attempts: 0,
          expires_at: challenge.expiresAt,
          used_at: null,
          created_at: now,
        })
        .execute();
    },
    async findLive(idHash, purpose, now) {
      const row = await db.selectFrom('mfa_challenges').selectAll().where('id', '=', idHash).executeTakeFirst();
      if (!row || row.purpose !== purpose || row.used_at !== null || Number(row.expires_at) <= now) return undefined;
      return open(row);
    },
    async failed(idHash) {
      await db
        .updateTable('mfa_challenges')
        .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
        .where('id', '=', idHash)
        .execute();
      const row = await db.selectFrom('mfa_challenges').select('attempts').where('id', '=', idHash).executeTakeFirst();
      return row?.attempts ?? 0;
    },
    async consume(idHash, now) {
      const updated = await db.updateTable('mfa_challenges').set({ used_at: now }).where('id', '=', idHash).where('used_at', 'is', null).executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    },
  };
}
