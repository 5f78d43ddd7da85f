import { hashToken } from '../../crypto/random.ts';
import type { Member } from '../../domain/member.ts';
import type { SessionRecord } from '../../store/sessions.ts';
import type { FlowDeps } from '../deps.ts';

export interface Authenticated {
  session: SessionRecord;
  member: Member;
}

export type AuthenticateDeps = Pick<FlowDeps, 'store' | 'clock' | 'policy' | 'sessionCache' | 'sessionTouches'>;

/** Writes last-seen at most this often, so a busy client does not turn every read into a write. */
const TOUCH_EVERY_MS = 60_000;

/**
 * The member behind a session token, or undefined when it is unknown, revoked, idle or expired.
 * Warm, it reads nothing from the database: the session cache is dropped for a member whenever
 * their sessions or details change.
 */
export async function authenticate(deps: AuthenticateDeps, token: string): Promise<Authenticated | undefined> {
  if (token.length < 20 || token.length > 100) return undefined;
  const now = deps.clock.now();
  const tokenHash = hashToken(token);
  let auth: Authenticated | undefined = deps.sessionCache.get(tokenHash, now);
  if (!auth) {
    auth = await load(deps, tokenHash);
    if (!auth) return undefined;
    deps.sessionCache.set(tokenHash, auth, now);
  }
  const { session } = auth;
  if (session.revokedAt !== null || session.expiresAt <= now || session.lastSeenAt + deps.policy.sessionIdleMs <= now) return undefined;
  if (now - session.lastSeenAt >= TOUCH_EVERY_MS) {
    session.lastSeenAt = now;
    deps.sessionTouches.note(session.id, now);
  }
  return auth;
}

async function load(deps: AuthenticateDeps, tokenHash: string): Promise<Authenticated | undefined> {
  const session = await deps.store.sessions.findByTokenHash(tokenHash);
  if (!session || session.revokedAt !== null) return undefined;
  // A use noted here but not yet written restarted the idle timer all the same.
  session.lastSeenAt = Math.max(session.lastSeenAt, deps.sessionTouches.pending(session.id) ?? 0);
  const member = await deps.store.members.findById(session.memberId);
  if (!member || member.status !== 'active') return undefined;
  return { session, member };
}
