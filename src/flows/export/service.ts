import { mfaStatus } from '../mfa/service.ts';
import { requireRecentAuth } from '../mfa/recent-auth.ts';
import type { FlowDeps } from '../deps.ts';
import type { Authenticated } from '../sessions/authenticate.ts';
import type { AccountExportDocument } from './input.ts';

export type ExportDeps = Pick<FlowDeps, 'store' | 'clock' | 'policy' | 'limits' | 'audit' | 'capabilities'>;

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : iso(ms));

/**
 * GDPR Art. 15 (access) and 20 (portability): everything held about the member, decrypted, as one
 * JSON document. Like a factor change it needs a recent sign-in (a stolen idle session must not
 * walk off with the whole file), and a few per hour are enough for anyone.
 */
export async function exportAccount(deps: ExportDeps, auth: Authenticated): Promise<AccountExportDocument> {
  deps.capabilities.require('profile_changes', 'read');
  requireRecentAuth(deps, auth);
  const member = auth.member;
  await deps.limits.consume('member_export', member.id);
  const now = deps.clock.now();
  const records = await deps.store.memberData.collect(member.id);
  const passkeys = await deps.store.passkeys.list(member.id);
  const factors = await mfaStatus(deps.store, member.id);
  const document: AccountExportDocument = {
    format: 'playerpass-export-1',
    exportedAt: iso(now),
    profile: {
      id: member.id,
      displayName: member.displayName,
      email: member.email,
      emailVerified: member.emailVerified,
      birthDate: member.birthDate,
      status: member.status,
      createdAt: iso(member.createdAt),
      updatedAt: iso(member.updatedAt),
    },
    sessions: records.sessions.map((s) => ({
      id: s.id,
      current: s.id === auth.session.id,
      createdAt: iso(s.createdAt),
      lastSeenAt: iso(s.lastSeenAt),
      expiresAt: iso(s.expiresAt),
      endedAt: isoOrNull(s.revokedAt),
      device: s.device,
      ipPrefix: s.ipPrefix,
    })),
    knownDevices: records.devices.map((d) => ({ firstSeenAt: iso(d.firstSeenAt), lastSeenAt: iso(d.lastSeenAt) })),
    secondFactors: {
      authenticatorApp: { enabled: factors.totp === 'on', since: factors.totp === 'on' ? isoOrNull(records.totp?.confirmedAt) : null },
      passkeys: passkeys.map((p) => ({ name: p.name, createdAt: iso(p.createdAt), lastUsedAt: isoOrNull(p.lastUsedAt), backedUp: p.backedUp })),
      recoveryCodesLeft: factors.recoveryCodesLeft,
    },
    connectedApps: {
      subject: records.oidc?.subject ?? null,
      since: isoOrNull(records.oidc?.since),
      grants: (records.oidc?.grants ?? []).map((g) => ({ clientId: g.clientId, clientName: g.clientName, scopes: g.scopes, grantedAt: isoOrNull(g.grantedAt), expiresAt: isoOrNull(g.expiresAt) })),
    },
    auditEvents: records.auditEvents.map((e) => ({ type: e.type, at: iso(e.at), ipPrefix: e.ipPrefix, data: e.data })),
  };
  await deps.audit.record({ type: 'account.exported', memberId: member.id, data: { sessions: document.sessions.length, auditEvents: document.auditEvents.length } });
  return document;
}

/** The attachment's file name: no personal data in it. */
export function exportFileName(now: number): string {
  return `playerpass-export-${iso(now).slice(0, 10)}.json`;
}
