import type { Kysely } from 'kysely';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import type { SessionRow, Tables } from './tables.ts';

export interface SessionRecord {
  id: string;
  memberId: string;
  device: string | null;
  ipPrefix: string | null;
  createdAt: number;
  authenticatedAt: number;
  /** How the member signed in (RFC 8176 method references, e.g. `pwd`, `otp`, `mfa`). */
  amr: string[];
  lastSeenAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

export interface NewSession {
  id: string;
  tokenHash: string;
  memberId: string;
  device: string | null;
  ipPrefix: string | null;
  amr: string[];
  now: number;
  expiresAt: number;
}

/** Sessions are found by the SHA-256 of their token; the token itself is never stored. */
export interface SessionRepository {
  create(session: NewSession): Promise<void>;
  findByTokenHash(tokenHash: string): Promise<SessionRecord | undefined>;
  /** Sets the last-seen time of these sessions (src/flows/sessions/touch-buffer.ts). */
  touchMany(ids: string[], now: number): Promise<void>;
  /** The member proved who they are again (password or second factor) at `now`: recent authentication. */
  reauthenticated(memberId: string, id: string, now: number): Promise<void>;
  listActive(memberId: string, now: number): Promise<SessionRecord[]>;
  revoke(memberId: string, id: string, now: number): Promise<boolean>;
  /** Every session but `exceptId`, and every OIDC artefact the member's clients hold; the count of sessions. */
  revokeAll(memberId: string, now: number, exceptId?: string): Promise<number>;
}

export function createSessionRepository(db: Kysely<Tables>, cipher: FieldCipher, changed: (memberId: string) => void = () => {}): SessionRepository {
  const open = (row: SessionRow): SessionRecord => ({
    id: row.id,
    memberId: row.member_id,
    device: row.device_ct ? cipher.decrypt(row.device_ct, { table: 'sessions', column: 'device', rowId: row.id }) : null,
    ipPrefix: row.ip_prefix,
    createdAt: row.created_at,
    authenticatedAt: row.authenticated_at,
    amr: row.amr ? row.amr.split(',') : ['pwd'],
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  });
  return {
    async create(session) {
      await db
        .insertInto('sessions')
        .values({
          id: session.id,
          token_hash: session.tokenHash,
          member_id: session.memberId,
          device_ct: session.device ? cipher.encrypt(session.device, { table: 'sessions', column: 'device', rowId: session.id }) : null,
          ip_prefix: session.ipPrefix,
          created_at: session.now,
          authenticated_at: session.now,
          amr: session.amr.join(','),
          last_seen_at: session.now,
          expires_at: session.expiresAt,
          revoked_at: null,
        })
        .execute();
    },
    async findByTokenHash(tokenHash) {
      const row = await db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row ? open(row) : undefined;
    },
    async touchMany(ids, now) {
      for (let start = 0; start < ids.length; start += 500) {
        await db.updateTable('sessions').set({ last_seen_at: now }).where('id', 'in', ids.slice(start, start + 500)).where('last_seen_at', '<', now).execute();
      }
    },
    async reauthenticated(memberId, id, now) {
      await db.updateTable('sessions').set({ authenticated_at: now }).where('id', '=', id).where('member_id', '=', memberId).execute();
      changed(memberId);
    },
    async listActive(memberId, now) {
      const rows = await db
        .selectFrom('sessions')
        .selectAll()
        .where('member_id', '=', memberId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map(open);
    },
    async revoke(memberId, id, now) {
      const result = await db
        .updateTable('sessions')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('member_id', '=', memberId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      changed(memberId);
      return Number(result.numUpdatedRows) > 0;
    },
    async revokeAll(memberId, now, exceptId) {
      let query = db.updateTable('sessions').set({ revoked_at: now }).where('member_id', '=', memberId).where('revoked_at', 'is', null);
      if (exceptId) query = query.where('id', '<>', exceptId);
      const revoked = Number((await query.executeTakeFirst()).numUpdatedRows);
      // What the member's games and sites hold goes too: their refresh and access tokens, grants,
      // device codes and provider sessions. The next sign-in through a client starts afresh.
      await db
        .deleteFrom('oidc_payloads')
        .where('account_id', 'in', db.selectFrom('oidc_subjects').select('sub').where('member_id', '=', memberId))
        .execute();
      changed(memberId);
      return revoked;
    },
  };
}
