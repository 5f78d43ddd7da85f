import { PassError } from '../../domain/errors.ts';
import { ipPrefix } from '../../domain/ip-prefix.ts';
import type { FlowDeps, RequestContext } from '../deps.ts';
import { liveChallenge, openChallenge } from '../mfa/challenges.ts';
import { checkPasskeyAssertion } from '../mfa/passkey-assertion.ts';
import { authenticationOptions, type AuthenticationResponseJSON } from '../mfa/webauthn.ts';
import { finishSignIn, type SignedIn } from '../sign-in/finish.ts';
import { mailLink } from '../sign-in/service.ts';
import type { PasskeySignInInput } from './input.ts';

export type PasskeySignInDeps = Pick<FlowDeps, 'store' | 'clock' | 'limits' | 'metrics' | 'audit' | 'links' | 'policy' | 'mailQueued' | 'capabilities' | 'webauthn'>;

/** Options for a passwordless sign-in: any discoverable passkey of ours, with user verification. */
export async function passkeySignInOptions(deps: PasskeySignInDeps, context: RequestContext) {
  deps.capabilities.require('sign_in', 'write');
  await deps.limits.consume('sign_in_ip', context.ip);
  const options = await authenticationOptions(deps.webauthn, undefined, 'required');
  const now = deps.clock.now();
  const opened = await openChallenge(
    deps.store,
    { purpose: 'passkey_sign_in', memberId: null, sessionId: null, webauthnChallenge: options.challenge, expiresAt: now + deps.policy.mfaChallengeMs },
    now,
  );
  return { challengeId: opened.challengeId, expiresAt: opened.expiresAt, options };
}

/**
 * Passwordless: a passkey with user verification (something the member has, unlocked by something
 * they know or are) is two factors in one, so it signs in on its own. One try per challenge.
 */
export async function passkeySignIn(deps: PasskeySignInDeps, input: PasskeySignInInput, context: RequestContext): Promise<SignedIn> {
  deps.capabilities.require('sign_in', 'write');
  await deps.limits.consume('mfa_ip', context.ip);
  const now = deps.clock.now();
  const challenge = await liveChallenge(deps.store, input.challengeId, 'passkey_sign_in', now);
  if (!challenge.webauthnChallenge || !(await deps.store.mfaChallenges.consume(challenge.idHash, now))) throw new PassError('mfa_challenge_invalid');
  const passkey = await checkPasskeyAssertion(deps, input.response as unknown as AuthenticationResponseJSON, challenge.webauthnChallenge, { requireUserVerification: true });
  const member = passkey ? await deps.store.members.findById(passkey.memberId) : undefined;
  if (!passkey || !member) {
    await deps.audit.record({ type: 'sign_in.passkey_failed', memberId: passkey?.memberId ?? null, ipPrefix: ipPrefix(context.ip) });
    deps.metrics.signIns.inc({ outcome: 'failed' });
    throw new PassError('second_factor_invalid');
  }
  if (member.status !== 'active') throw new PassError('account_unavailable');
  // An operator's "must reset" (e.g. after an incident) holds for passkeys too.
  if (member.mustReset) {
    await mailLink(deps, member, 'reset_password', now);
    throw new PassError('password_reset_required');
  }
  return finishSignIn(deps, member, context, { method: 'passkey' });
}
