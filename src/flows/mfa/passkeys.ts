import { randomId } from '../../crypto/random.ts';
import { PassError } from '../../domain/errors.ts';
import { uniqueViolation } from '../../store/database.ts';
import type { PasskeyRecord } from '../../store/passkeys.ts';
import type { FlowDeps } from '../deps.ts';
import type { Authenticated } from '../sessions/authenticate.ts';
import { liveChallenge, openChallenge } from './challenges.ts';
import { queueMfaNotice } from './notice.ts';
import { requireRecentAuth } from './recent-auth.ts';
import { issueRecoveryCodesIfFirstFactor } from './recovery-codes.ts';
import { dropRecoveryCodesIfNoFactor } from './service.ts';
import { registrationOptions, verifyRegistration, type RegistrationResponseJSON } from './webauthn.ts';

export type PasskeysDeps = Pick<FlowDeps, 'store' | 'clock' | 'policy' | 'audit' | 'mailQueued' | 'capabilities' | 'webauthn'>;

export const PASSKEYS_MAX = 20;
export const PASSKEY_NAME_MAX = 64;

export interface PasskeyView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  backedUp: boolean;
}

export function describePasskey(passkey: PasskeyRecord): PasskeyView {
  return {
    id: passkey.id,
    name: passkey.name,
    createdAt: new Date(passkey.createdAt).toISOString(),
    lastUsedAt: passkey.lastUsedAt === null ? null : new Date(passkey.lastUsedAt).toISOString(),
    backedUp: passkey.backedUp,
  };
}

/** A name the member can tell apart: trimmed, printable, short; a default when left empty. */
export function passkeyName(input: string | undefined, fallback: string): string {
  const name = (input ?? '').normalize('NFC').replace(/[\p{Cc}\p{Cf}]/gu, '').trim();
  if (name.length > PASSKEY_NAME_MAX) throw new PassError('validation_failed', { fields: { name: 'too_long' } });
  return name || fallback;
}

/** Starts registering a passkey: the options for navigator.credentials.create(), bound to this session. */
export async function passkeyRegistrationOptions(deps: PasskeysDeps, auth: Authenticated) {
  deps.capabilities.require('profile_changes', 'write');
  requireRecentAuth(deps, auth);
  const existing = await deps.store.passkeys.list(auth.member.id);
  if (existing.length >= PASSKEYS_MAX) throw new PassError('passkey_limit_reached');
  const options = await registrationOptions(deps.webauthn, auth.member, existing);
  const now = deps.clock.now();
  const opened = await openChallenge(
    deps.store,
    { purpose: 'passkey_register', memberId: auth.member.id, sessionId: auth.session.id, webauthnChallenge: options.challenge, expiresAt: now + deps.policy.mfaChallengeMs },
    now,
  );
  return { challengeId: opened.challengeId, expiresAt: opened.expiresAt, options };
}

/** Finishes a registration. Returns the passkey, and the recovery codes if this is the first factor. */
export async function registerPasskey(
  deps: PasskeysDeps,
  auth: Authenticated,
  input: { challengeId: string; name?: string | undefined; response: RegistrationResponseJSON },
): Promise<{ passkey: PasskeyView; recoveryCodes: string[] | undefined }> {
  deps.capabilities.require('profile_changes', 'write');
  requireRecentAuth(deps, auth);
  const { member } = auth;
  const now = deps.clock.now();
  const challenge = await liveChallenge(deps.store, input.challengeId, 'passkey_register', now);
  if (challenge.memberId !== member.id || challenge.sessionId !== auth.session.id || !challenge.webauthnChallenge) throw new PassError('mfa_challenge_invalid');
  // One try per ceremony: the WebAuthn challenge is used up whatever the outcome.
  if (!(await deps.store.mfaChallenges.consume(challenge.idHash, now))) throw new PassError('mfa_challenge_invalid');
  const name = passkeyName(input.name, `Passkey added ${new Date(now).toISOString().slice(0, 10)}`);
  const verified = await verifyRegistration(deps.webauthn, input.response, challenge.webauthnChallenge);
  const passkey: PasskeyRecord = { id: randomId(), memberId: member.id, ...verified, name, createdAt: now, lastUsedAt: null };
  const recoveryCodes = await deps.store
    .transaction(async (tx) => {
      if ((await tx.passkeys.count(member.id)) >= PASSKEYS_MAX) throw new PassError('passkey_limit_reached');
      await tx.passkeys.insert(passkey);
      const codes = await issueRecoveryCodesIfFirstFactor(tx, member.id, now);
      await queueMfaNotice(tx, member, `A passkey ("${name}") was added to your account`, now);
      return codes;
    })
    .catch((error: unknown) => {
      // The same authenticator registered twice (excludeCredentials normally prevents it).
      if (uniqueViolation(error)) throw new PassError('passkey_invalid');
      throw error;
    });
  deps.mailQueued();
  await deps.audit.record({ type: 'mfa.passkey_added', memberId: member.id, data: { passkeyId: passkey.id, recoveryCodesIssued: recoveryCodes !== undefined } });
  return { passkey: describePasskey(passkey), recoveryCodes };
}

export async function listPasskeys(deps: Pick<FlowDeps, 'store'>, auth: Authenticated): Promise<PasskeyView[]> {
  return (await deps.store.passkeys.list(auth.member.id)).map(describePasskey);
}

/** Renaming changes no factor, so it needs no recent sign-in. */
export async function renamePasskey(deps: PasskeysDeps, auth: Authenticated, id: string, name: string): Promise<PasskeyView> {
  deps.capabilities.require('profile_changes', 'write');
  const fresh = passkeyName(name, '');
  if (!fresh) throw new PassError('validation_failed', { fields: { name: 'required' } });
  if (!(await deps.store.passkeys.rename(auth.member.id, id, fresh))) throw new PassError('not_found');
  const passkey = (await deps.store.passkeys.list(auth.member.id)).find((p) => p.id === id);
  if (!passkey) throw new PassError('not_found');
  return describePasskey(passkey);
}

export async function removePasskey(deps: PasskeysDeps, auth: Authenticated, id: string): Promise<void> {
  deps.capabilities.require('profile_changes', 'write');
  requireRecentAuth(deps, auth);
  const { member } = auth;
  const now = deps.clock.now();
  const passkey = (await deps.store.passkeys.list(member.id)).find((p) => p.id === id);
  if (!passkey) throw new PassError('not_found');
  const mfaOff = await deps.store.transaction(async (tx) => {
    if (!(await tx.passkeys.remove(member.id, id))) throw new PassError('not_found');
    await queueMfaNotice(tx, member, `The passkey "${passkey.name}" was removed from your account`, now);
    return dropRecoveryCodesIfNoFactor(tx, member.id);
  });
  deps.mailQueued();
  await deps.audit.record({ type: 'mfa.passkey_removed', memberId: member.id, data: { passkeyId: id, mfaOff } });
}
