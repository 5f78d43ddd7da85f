import { PassError } from '../../domain/errors.ts';
import type { FlowDeps } from '../deps.ts';
import type { Authenticated } from './authenticate.ts';

export type SessionsDeps = Pick<FlowDeps, 'store' | 'clock' | 'policy' | 'audit'>;

export interface SessionView {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  device: string | null;
  ipPrefix: string | null;
}

export async function listSessions(deps: SessionsDeps, auth: Authenticated): Promise<SessionView[]> {
  const now = deps.clock.now();
  const sessions = await deps.store.sessions.listActive(auth.member.id, now);
  return sessions
    .filter((s) => s.lastSeenAt + deps.policy.sessionIdleMs > now)
    .map((s) => ({
      id: s.id,
      current: s.id === auth.session.id,
      createdAt: new Date(s.createdAt).toISOString(),
      lastSeenAt: new Date(s.lastSeenAt).toISOString(),
      device: s.device,
      ipPrefix: s.ipPrefix,
    }));
}

export async function revokeSession(deps: SessionsDeps, auth: Authenticated, sessionId: string): Promise<void> {
  if (!(await deps.store.sessions.revoke(auth.member.id, sessionId, deps.clock.now()))) throw new PassError('not_found');
  await deps.audit.record({ type: 'session.revoked', memberId: auth.member.id, data: { sessionId } });
}

export async function revokeOtherSessions(deps: SessionsDeps, auth: Authenticated): Promise<number> {
  const count = await deps.store.sessions.revokeAll(auth.member.id, deps.clock.now(), auth.session.id);
  await deps.audit.record({ type: 'session.revoked_others', memberId: auth.member.id, data: { count } });
  return count;
}

export async function signOut(deps: SessionsDeps, auth: Authenticated): Promise<void> {
  await deps.store.sessions.revoke(auth.member.id, auth.session.id, deps.clock.now());
  await deps.audit.record({ type: 'session.signed_out', memberId: auth.member.id });
}
