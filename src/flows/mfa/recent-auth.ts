import { PassError } from '../../domain/errors.ts';
import type { FlowDeps } from '../deps.ts';
import type { Authenticated } from '../sessions/authenticate.ts';
import { requireCurrentPassword } from '../shared/current-password.ts';

export type RecentAuthDeps = Pick<FlowDeps, 'clock' | 'policy'>;

/** NIST SP 800-63B §4.6 / ASVS 6.x: adding or removing a factor needs a recent proof of identity. */
export function isRecentlyAuthenticated(deps: RecentAuthDeps, auth: Authenticated): boolean {
  return deps.clock.now() - auth.session.authenticatedAt <= deps.policy.recentAuthMs;
}

export function requireRecentAuth(deps: RecentAuthDeps, auth: Authenticated): void {
  if (!isRecentlyAuthenticated(deps, auth)) throw new PassError('reauthentication_required');
}

/** The password again: the session counts as freshly authenticated from now. */
export async function reauthenticate(deps: Pick<FlowDeps, 'store' | 'hasher' | 'limits' | 'clock' | 'audit'>, auth: Authenticated, password: string): Promise<void> {
  await requireCurrentPassword(deps, auth.member, password);
  const now = deps.clock.now();
  await deps.store.sessions.reauthenticated(auth.member.id, auth.session.id, now);
  auth.session.authenticatedAt = now;
  await deps.audit.record({ type: 'session.reauthenticated', memberId: auth.member.id, data: { sessionId: auth.session.id } });
}
