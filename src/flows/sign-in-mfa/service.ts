import { PassError } from '../../domain/errors.ts';
import { ipPrefix } from '../../domain/ip-prefix.ts';
import type { FlowDeps, RequestContext } from '../deps.ts';
import { liveChallenge } from '../mfa/challenges.ts';
import { checkPasskeyAssertion } from '../mfa/passkey-assertion.ts';
import { redeemRecoveryCode } from '../mfa/recovery-codes.ts';
import { checkTotp } from '../mfa/totp.ts';
import type { AuthenticationResponseJSON } from '../mfa/webauthn.ts';
import { finishSignIn, type SignedIn, type SignInMethod } from '../sign-in/finish.ts';
import type { MfaSignInInput } from './input.ts';

export type MfaSignInDeps = Pick<FlowDeps, 'store' | 'clock' | 'limits' | 'metrics' | 'audit' | 'links' | 'policy' | 'mailQueued' | 'capabilities' | 'webauthn'>;

/** Wrong tries one challenge takes before it is void (the member signs in again for a new one). */
export const MFA_ATTEMPTS_PER_CHALLENGE = 5;

/**
 * The second sign-in step: the challenge from the password step and one second factor. Limited per
 * IP (every try) and per member (failures); the right code is refused too once the member's failure
 * budget is spent, so guessing gains nothing.
 */
export async function completeMfaSignIn(deps: MfaSignInDeps, input: MfaSignInInput, context: RequestContext): Promise<SignedIn> {
  deps.capabilities.require('sign_in', 'write');
  const given = [input.code, input.recoveryCode, input.passkey].filter((v) => v !== undefined && v !== '').length;
  if (given !== 1) throw new PassError('validation_failed', { fields: { [input.code === undefined ? 'code' : 'recoveryCode']: given === 0 ? 'required' : 'invalid' } });
  await deps.limits.consume('mfa_ip', context.ip);
  const now = deps.clock.now();
  const challenge = await liveChallenge(deps.store, input.challengeId, 'sign_in', now);
  const member = challenge.memberId ? await deps.store.members.findById(challenge.memberId) : undefined;
  if (!member || member.status !== 'active') throw new PassError('mfa_challenge_invalid');
  await deps.limits.check('mfa_fail_member', member.id);

  let method: SignInMethod | undefined;
  if (input.code !== undefined && input.code !== '') {
    if (await checkTotp(deps.store, member.id, input.code, now)) method = 'password+totp';
  } else if (input.recoveryCode !== undefined && input.recoveryCode !== '') {
    if (await redeemRecoveryCode(deps, member, input.recoveryCode)) method = 'password+recovery_code';
  } else if (challenge.webauthnChallenge) {
    const passkey = await checkPasskeyAssertion(deps, input.passkey as unknown as AuthenticationResponseJSON, challenge.webauthnChallenge, { memberId: member.id, requireUserVerification: false });
    if (passkey) method = 'password+passkey';
  }

  if (!method) {
    await deps.limits.charge('mfa_fail_member', member.id);
    const attempts = await deps.store.mfaChallenges.failed(challenge.idHash);
    if (attempts >= MFA_ATTEMPTS_PER_CHALLENGE) await deps.store.mfaChallenges.consume(challenge.idHash, now);
    await deps.audit.record({ type: 'sign_in.mfa_failed', memberId: member.id, ipPrefix: ipPrefix(context.ip), data: { attempts } });
    deps.metrics.signIns.inc({ outcome: 'mfa_failed' });
    throw new PassError('second_factor_invalid');
  }
  if (!(await deps.store.mfaChallenges.consume(challenge.idHash, now))) throw new PassError('mfa_challenge_invalid');
  await deps.limits.reset('mfa_fail_member', member.id);
  return finishSignIn(deps, member, context, { method });
}
