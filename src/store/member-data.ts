import type { Kysely } from 'kysely';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import type { Tables } from './tables.ts';

/** A session as the member may see it: no token hash. */
export interface ExportedSession {
  id: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  revokedAt: number | null;
  device: string | null;
  ipPrefix: string | null;
}

/** A game or site the member signed in to through OpenID Connect, and what they granted it. */
export interface ExportedGrant {
  clientId: string;
  clientName: string | null;
  scopes: string[];
  grantedAt: number | null;
  expiresAt: number | null;
}

export interface ExportedAuditEvent {
  type: string;
  at: number;
  ipPrefix: string | null;
  data: Record<string, unknown>;
}

/** What the store holds about one member beyond the member row and the factors' own repositories. */
export interface MemberRecords {
  sessions: ExportedSession[];
  devices: { firstSeenAt: number; lastSeenAt: number }[];
  totp: { confirmedAt: number | null; createdAt: number } | undefined;
  oidc: { subject: string; since: number; grants: ExportedGrant[] } | undefined;
  auditEvents: ExportedAuditEvent[];
}

/**
 * The one place that knows every table holding a member's data: read for an export (GDPR Art. 15
 * and 20), erased for a deletion (Art. 17). A new table keyed by member belongs here too — the
 * account deletion test looks for the member's id in every table afterwards.
 *
 * Kept on purpose after a deletion: `audit_events` (the hash-chained trail; its rows carry the id,
 * ip prefixes and flags, never names or addresses) and `incident_members` (an incident's frozen
 * scope is the record of a breach, which must stay complete — GDPR Art. 33(5)).
 */
export interface MemberDataRepository {
  collect(memberId: string): Promise<MemberRecords>;
  /** Deletes the member and everything keyed by them; run it inside a transaction. */
  erase(memberId: string): Promise<void>;
}

export function createMemberDataRepository(db: Kysely<Tables>, cipher: FieldCipher, changed: (memberId: string) => void = () => {}): MemberDataRepository {
  const subjectsOf = (memberId: string) => db.selectFrom('oidc_subjects').select('sub').where('member_id', '=', memberId);
  return {
    async collect(memberId) {
      // One after the other: inside a transaction they would share one connection.
      const sessionRows = await db.selectFrom('sessions').selectAll().where('member_id', '=', memberId).orderBy('created_at', 'desc').execute();
      const sessions = sessionRows.map((row) => ({
        id: row.id,
        createdAt: row.created_at,
        lastSeenAt: row.last_seen_at,
        expiresAt: row.expires_at,
        revokedAt: row.revoked_at,
        device: row.device_ct ? cipher.decrypt(row.device_ct, { table: 'sessions', column: 'device', rowId: row.id }) : null,
        ipPrefix: row.ip_prefix,
      }));
      const deviceRows = await db.selectFrom('member_devices').select(['created_at', 'last_seen_at']).where('member_id', '=', memberId).orderBy('created_at').execute();
      const totpRow = await db.selectFrom('member_totp').select(['confirmed_at', 'created_at']).where('member_id', '=', memberId).executeTakeFirst();
      const subject = await db.selectFrom('oidc_subjects').select(['sub', 'created_at']).where('member_id', '=', memberId).executeTakeFirst();
      let oidc: MemberRecords['oidc'];
      if (subject) {
        const grants = await db
          .selectFrom('oidc_payloads')
          .select(['payload', 'expires_at'])
          .where('kind', '=', 'Grant')
          .where('account_id', '=', subject.sub)
          .execute();
        const clients = new Map((await db.selectFrom('oidc_clients').select(['client_id', 'name']).execute()).map((c) => [c.client_id, c.name]));
        oidc = { subject: subject.sub, since: subject.created_at, grants: grants.map((row) => readGrant(row.payload, row.expires_at, clients)) };
      }
      const auditRows = await db
        .selectFrom('audit_events')
        .select(['type', 'at', 'ip_prefix', 'data'])
        .where('member_id', '=', memberId)
        .orderBy('at')
        .orderBy('seq')
        .execute();
      return {
        sessions,
        devices: deviceRows.map((row) => ({ firstSeenAt: row.created_at, lastSeenAt: row.last_seen_at })),
        totp: totpRow ? { confirmedAt: totpRow.confirmed_at, createdAt: totpRow.created_at } : undefined,
        oidc,
        auditEvents: auditRows.map((row) => ({ type: row.type, at: Number(row.at), ipPrefix: row.ip_prefix, data: JSON.parse(row.data) as Record<string, unknown> })),
      };
    },

    async erase(memberId) {
      // Explicit deletes, not only the foreign keys' cascades: the erasure does not depend on a
      // pragma, and oidc_payloads (keyed by the member's `sub`) has no foreign key at all.
      await db.deleteFrom('oidc_payloads').where('account_id', 'in', subjectsOf(memberId)).execute();
      await db.deleteFrom('oidc_subjects').where('member_id', '=', memberId).execute();
      await db.deleteFrom('mfa_challenges').where('member_id', '=', memberId).execute();
      await db.deleteFrom('recovery_codes').where('member_id', '=', memberId).execute();
      await db.deleteFrom('passkeys').where('member_id', '=', memberId).execute();
      await db.deleteFrom('member_totp').where('member_id', '=', memberId).execute();
      await db.deleteFrom('member_devices').where('member_id', '=', memberId).execute();
      await db.deleteFrom('one_time_tokens').where('member_id', '=', memberId).execute();
      await db.deleteFrom('sessions').where('member_id', '=', memberId).execute();
      await db.deleteFrom('credentials').where('member_id', '=', memberId).execute();
      await db.deleteFrom('members').where('id', '=', memberId).execute();
      changed(memberId);
    },
  };
}

/** oidc-provider's Grant payload: `clientId`, `openid.scope`, `resources` (scopes per resource), `iat`. */
function readGrant(payload: string, expiresAt: number | null, clients: Map<string, string>): ExportedGrant {
  const grant = JSON.parse(payload) as { clientId?: string; openid?: { scope?: string }; resources?: Record<string, string>; iat?: number };
  const scopes = new Set((grant.openid?.scope ?? '').split(' ').filter(Boolean));
  for (const scope of Object.values(grant.resources ?? {})) for (const s of String(scope).split(' ').filter(Boolean)) scopes.add(s);
  const clientId = grant.clientId ?? '';
  return {
    clientId,
    clientName: clients.get(clientId) ?? null,
    scopes: [...scopes],
    grantedAt: typeof grant.iat === 'number' ? grant.iat * 1000 : null,
    expiresAt,
  };
}
