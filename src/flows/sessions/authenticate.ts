import { hashToken } from '../../crypto/random.ts';
import type { Member } from '../../domain/member.ts';
import type { SessionRecord } from '../../store/sessions.ts';
import type { FlowDeps } from '../deps.ts';

export interface Authenticated {
  session: SessionRecord;
  member: Member;
}

export type AuthenticateDeps = Pick<FlowDeps, 'store' | 'clock' | 'policy'>;

/** Writes last-seen at most this often, so a busy client does not turn every read into a write. */
const TOUCH_EVERY_MS = 60_000;

/** The member behind a session token, or undefined when it is unknown, revoked, idle or expired. */
export async function authenticate(deps: AuthenticateDeps, token: string): Promise<Authenticated | undefined> {
  if (token.length < 20 || token.length > 100) return undefined;
  const now = deps.clock.now();
  const session = await deps.store.sessions.findByTokenHash(hashToken(token));
  if (!session || session.revokedAt !== null || session.expiresAt <= now) return undefined;
  if (session.lastSeenAt + deps.policy.sessionIdleMs <= now) return undefined;
  const member = await deps.store.members.findById(session.memberId);
  if (!member || member.status !== 'active') return undefined;
  if (now - session.lastSeenAt >= TOUCH_EVERY_MS) {
    await deps.store.sessions.touch(session.id, now);
    session.lastSeenAt = now;
  }
  return { session, member };
}
