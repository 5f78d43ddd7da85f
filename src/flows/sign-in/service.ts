import { hashToken } from '../../crypto/random.ts';
import { normaliseEmail } from '../../domain/email.ts';
import { PassError } from '../../domain/errors.ts';
import type { Member } from '../../domain/member.ts';
import type { FlowDeps, RequestContext } from '../deps.ts';
import { issueOneTimeToken } from '../shared/one-time-links.ts';
import { issueSession, type IssuedSession } from '../sessions/issue.ts';
import type { SignInInput } from './input.ts';

export type SignInDeps = Pick<FlowDeps, 'store' | 'hasher' | 'clock' | 'limits' | 'links' | 'policy' | 'mailQueued'>;

export interface SignedIn extends IssuedSession {
  member: Member;
}

/**
 * Email + password to a session. Every wrong email or password gets the same `credentials_invalid`
 * after the same argon2 work; only the right password learns that the email is not verified yet.
 */
export async function signIn(deps: SignInDeps, input: SignInInput, context: RequestContext): Promise<SignedIn> {
  const accountKey = hashToken(normaliseEmail(input.email));
  await deps.limits.consume('sign_in_ip', context.ip);
  await deps.limits.consume('sign_in_ip_account', `${context.ip}|${accountKey}`);

  const member = input.email.trim() === '' ? undefined : await deps.store.members.findByEmail(input.email);
  const stored = member ? await deps.store.members.password(member.id) : undefined;
  if (!member || !stored) {
    await deps.hasher.verifyDummy(input.password);
    throw new PassError('credentials_invalid');
  }
  if (!(await deps.hasher.verify(stored, input.password))) throw new PassError('credentials_invalid');
  if (member.status !== 'active') throw new PassError('account_unavailable');

  const now = deps.clock.now();
  if (!member.emailVerified) {
    await mailLink(deps, member, 'verify_email', now);
    throw new PassError('email_unverified');
  }
  if (member.mustReset) {
    await mailLink(deps, member, 'reset_password', now);
    throw new PassError('password_reset_required');
  }
  await deps.limits.reset('sign_in_ip_account', `${context.ip}|${accountKey}`);
  const rehashed = deps.hasher.needsRehash(stored) ? await deps.hasher.hash(input.password) : undefined;
  const session = await deps.store.transaction(async (tx) => {
    if (rehashed) await tx.members.setPassword(member.id, rehashed, now);
    return issueSession(tx, deps.policy, member.id, context, now);
  });
  return { ...session, member };
}

async function mailLink(deps: SignInDeps, member: Member, purpose: 'verify_email' | 'reset_password', now: number): Promise<void> {
  const ttlMs = purpose === 'verify_email' ? deps.policy.verifyTokenMs : deps.policy.resetTokenMs;
  const path = purpose === 'verify_email' ? '/verify' : '/reset';
  await deps.store.transaction(async (tx) => {
    const token = await issueOneTimeToken(tx, { memberId: member.id, purpose, now, ttlMs });
    await tx.outbox.enqueue({ template: purpose, to: member.email, data: { displayName: member.displayName, link: deps.links.to(path, token) } }, now);
  });
  deps.mailQueued();
}
