import { hashToken } from '../../crypto/random.ts';
import { PassError } from '../../domain/errors.ts';
import { ipPrefix } from '../../domain/ip-prefix.ts';
import type { Member } from '../../domain/member.ts';
import type { SignInAttempt } from '../../limits/sign-in-guard.ts';
import { checkCanary } from '../../ops/canaries/check.ts';
import type { FlowDeps, RequestContext } from '../deps.ts';
import { issueOneTimeToken } from '../shared/one-time-links.ts';
import { mfaMethods } from '../mfa/service.ts';
import { startSignInChallenge, type MfaChallenge } from '../sign-in-mfa/challenge.ts';
import { finishSignIn, type SignedIn } from './finish.ts';
import type { SignInInput } from './input.ts';

export type SignInDeps = Pick<
  FlowDeps,
  'store' | 'hasher' | 'clock' | 'signInGuard' | 'limits' | 'metrics' | 'accountKey' | 'audit' | 'alarms' | 'links' | 'policy' | 'mailQueued' | 'capabilities' | 'webauthn'
>;

/** NIST SP 800-63B §5.2.2: past this many consecutive failures, the password alone no longer signs in. */
export const MAX_CONSECUTIVE_FAILURES = 100;

export type { SignedIn } from './finish.ts';

/** Signed in, or (for a member with a second factor) half way: the second step is still to come. */
export type SignInOutcome = ({ status: 'signed_in' } & SignedIn) | ({ status: 'mfa_required' } & MfaChallenge);

/**
 * Email + password to a session. Every wrong email or password gets the same `credentials_invalid`
 * after the same argon2 work; only the right password learns that the email is not verified yet.
 */
export async function signIn(deps: SignInDeps, input: SignInInput, context: RequestContext): Promise<SignInOutcome> {
  deps.capabilities.require('sign_in', 'write');
  const member = input.email.trim() === '' ? undefined : await deps.store.members.findByEmail(input.email);
  // A canary's alarm is raised while the password is checked, so its answer takes no longer; the
  // answer itself is the same as for any member (nobody knows a canary's password).
  const canary = checkCanary(deps.alarms, member, 'sign_in', context.ip);
  const deviceHash = context.deviceId ? hashToken(context.deviceId) : undefined;
  const trustedDevice = member && deviceHash ? await deps.store.devices.isKnown(member.id, deviceHash) : false;
  const attempt: SignInAttempt = { ip: context.ip, accountKey: deps.accountKey(input.email), trustedDevice };
  await deps.signInGuard.admit(attempt);

  const stored = member ? await deps.store.members.password(member.id) : undefined;
  const passwordOk = member && stored ? await deps.hasher.verify(stored, input.password) : (await deps.hasher.verifyDummy(input.password), false);
  await canary;
  if (!member || !passwordOk) {
    await deps.signInGuard.failed(attempt);
    if (member) await deps.store.members.countFailedSignIn(member.id);
    await deps.audit.record({ type: 'sign_in.failed', memberId: member?.id ?? null, ipPrefix: ipPrefix(context.ip), data: { knownMember: Boolean(member) } });
    deps.metrics.signIns.inc({ outcome: 'failed' });
    throw new PassError('credentials_invalid');
  }
  if (member.status !== 'active') throw new PassError('account_unavailable');

  const now = deps.clock.now();
  if (!member.emailVerified) {
    await mailLink(deps, member, 'verify_email', now);
    deps.metrics.signIns.inc({ outcome: 'email_unverified' });
    throw new PassError('email_unverified');
  }
  if (member.mustReset || member.failedSignIns >= MAX_CONSECUTIVE_FAILURES) {
    await mailLink(deps, member, 'reset_password', now);
    deps.metrics.signIns.inc({ outcome: 'reset_required' });
    throw new PassError('password_reset_required');
  }
  await deps.signInGuard.succeeded(attempt);
  const rehashed = deps.hasher.needsRehash(stored!) ? await deps.hasher.hash(input.password) : undefined;
  // A member with a second factor gets a short-lived challenge instead of a session.
  const methods = await mfaMethods(deps.store, member.id);
  if (methods.length > 0) {
    if (rehashed) await deps.store.members.setPassword(member.id, rehashed, now);
    deps.metrics.signIns.inc({ outcome: 'mfa_required' });
    return { status: 'mfa_required', ...(await startSignInChallenge(deps, member, methods)) };
  }
  return { status: 'signed_in', ...(await finishSignIn(deps, member, context, { method: 'password', rehashed })) };
}

/**
 * Mails a fresh link to a member who got the password right but must verify or reset first. Within
 * a budget per member: whoever holds a stolen password must not be able to flood the inbox (or keep
 * voiding the reset link the member is about to use).
 */
export async function mailLink(deps: Pick<FlowDeps, 'limits' | 'policy' | 'store' | 'links' | 'mailQueued'>, member: Member, purpose: 'verify_email' | 'reset_password', now: number): Promise<void> {
  const withinBudget = await deps.limits.consume('sign_in_mail_member', `${purpose}|${member.id}`).then(
    () => true,
    (error: unknown) => (error instanceof PassError && error.code === 'rate_limited' ? false : Promise.reject(error)),
  );
  if (!withinBudget) return;
  const ttlMs = purpose === 'verify_email' ? deps.policy.verifyTokenMs : deps.policy.resetTokenMs;
  const path = purpose === 'verify_email' ? '/verify' : '/reset';
  await deps.store.transaction(async (tx) => {
    const token = await issueOneTimeToken(tx, { memberId: member.id, purpose, now, ttlMs });
    await tx.outbox.enqueue({ template: purpose, to: member.email, data: { displayName: member.displayName, link: deps.links.to(path, token) } }, now);
  });
  deps.mailQueued();
}
