import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { Member } from '../../domain/member.ts';
import type { FlowDeps } from '../deps.ts';
import { PassError } from '../../domain/errors.ts';
import { liveChallenge, openChallenge } from '../mfa/challenges.ts';
import { mfaMethods, type MfaMethod } from '../mfa/service.ts';
import { authenticationOptions } from '../mfa/webauthn.ts';

/** The second sign-in step a member with MFA gets after the right password. */
export interface MfaChallenge {
  challengeId: string;
  methods: MfaMethod[];
  expiresAt: number;
  /** When `passkey` is a method: the options for navigator.credentials.get(), for the member's passkeys. */
  passkeyOptions: PublicKeyCredentialRequestOptionsJSON | undefined;
}

export async function startSignInChallenge(deps: Pick<FlowDeps, 'store' | 'clock' | 'policy' | 'webauthn'>, member: Member, methods: MfaMethod[]): Promise<MfaChallenge> {
  const passkeyOptions = methods.includes('passkey') ? await authenticationOptions(deps.webauthn, await deps.store.passkeys.list(member.id), 'preferred') : undefined;
  const now = deps.clock.now();
  const opened = await openChallenge(
    deps.store,
    { purpose: 'sign_in', memberId: member.id, sessionId: null, webauthnChallenge: passkeyOptions?.challenge ?? null, expiresAt: now + deps.policy.mfaChallengeMs },
    now,
  );
  return { challengeId: opened.challengeId, methods, expiresAt: opened.expiresAt, passkeyOptions };
}

/** An open second step again (its page shown once more after a wrong code), or mfa_challenge_invalid. */
export async function resumeSignInChallenge(deps: Pick<FlowDeps, 'store' | 'clock' | 'webauthn'>, challengeId: string): Promise<MfaChallenge> {
  const challenge = await liveChallenge(deps.store, challengeId, 'sign_in', deps.clock.now());
  const methods = challenge.memberId ? await mfaMethods(deps.store, challenge.memberId) : [];
  if (!challenge.memberId || methods.length === 0) throw new PassError('mfa_challenge_invalid');
  const passkeys = methods.includes('passkey') && challenge.webauthnChallenge ? await deps.store.passkeys.list(challenge.memberId) : undefined;
  const passkeyOptions = passkeys ? await authenticationOptions(deps.webauthn, passkeys, 'preferred', challenge.webauthnChallenge!) : undefined;
  return { challengeId, methods, expiresAt: challenge.expiresAt, passkeyOptions };
}
