import { hashToken, randomId, randomToken } from '../../crypto/random.ts';
import { ipPrefix } from '../../domain/ip-prefix.ts';
import type { Store } from '../../store/store.ts';
import type { FlowPolicy, RequestContext } from '../deps.ts';

export interface IssuedSession {
  id: string;
  token: string;
  expiresAt: number;
  /** How the member signed in (RFC 8176 method references). */
  amr: string[];
}

/** Starts a session: a 256-bit token for the client, only its SHA-256 in the store. */
export async function issueSession(store: Store, policy: FlowPolicy, memberId: string, context: RequestContext, now: number, amr: string[]): Promise<IssuedSession> {
  const session = { id: randomId(), token: randomToken(), expiresAt: now + policy.sessionMaxMs, amr };
  await store.sessions.create({
    id: session.id,
    tokenHash: hashToken(session.token),
    memberId,
    device: context.userAgent ? context.userAgent.slice(0, 256) : null,
    ipPrefix: ipPrefix(context.ip),
    amr,
    now,
    expiresAt: session.expiresAt,
  });
  return session;
}
