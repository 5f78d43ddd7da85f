import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { PassError } from '../../domain/errors.ts';
import type { Member } from '../../domain/member.ts';
import type { PasskeyRecord } from '../../store/passkeys.ts';
import type { WebAuthnSettings } from '../deps.ts';

export type { AuthenticationResponseJSON, RegistrationResponseJSON };

const TIMEOUT_MS = 120_000;

/** The WebAuthn user handle: the member id's bytes (random, no personal data). */
export function userHandle(memberId: string): string {
  return Buffer.from(memberId, 'utf8').toString('base64url');
}

/** Options for navigator.credentials.create(): a discoverable credential, so it also signs in without a password. */
export async function registrationOptions(settings: WebAuthnSettings, member: Member, existing: readonly PasskeyRecord[]): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: settings.rpName,
    rpID: settings.rpId,
    userName: member.email,
    userDisplayName: member.displayName,
    userID: new Uint8Array(Buffer.from(member.id, 'utf8')),
    timeout: TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
  });
}

export interface VerifiedPasskey {
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  backedUp: boolean;
}

/** Checks a registration against the challenge, our origin and RP id; throws passkey_invalid. */
export async function verifyRegistration(settings: WebAuthnSettings, response: RegistrationResponseJSON, expectedChallenge: string): Promise<VerifiedPasskey> {
  const verified = await verifyRegistrationResponse({
    response,
    expectedChallenge,
    expectedOrigin: settings.origin,
    expectedRPID: settings.rpId,
    requireUserVerification: false,
  }).catch(() => undefined);
  if (!verified?.verified) throw new PassError('passkey_invalid');
  const { credential, credentialBackedUp } = verified.registrationInfo;
  return {
    credentialId: credential.id,
    publicKey: Buffer.from(credential.publicKey).toString('base64url'),
    counter: credential.counter,
    transports: (response.response.transports ?? []).filter((t) => /^[a-z-]{1,20}$/.test(t)).slice(0, 8),
    backedUp: credentialBackedUp,
  };
}

/** Options for navigator.credentials.get(): for the member's own passkeys, or (none given) any discoverable one. */
export async function authenticationOptions(
  settings: WebAuthnSettings,
  allow: readonly PasskeyRecord[] | undefined,
  userVerification: 'required' | 'preferred',
  /** base64url: the challenge of a step already open (its page shown again); a new one otherwise. */
  challenge?: string,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: settings.rpId,
    ...(challenge ? { challenge: new Uint8Array(Buffer.from(challenge, 'base64url')) } : {}),
    timeout: TIMEOUT_MS,
    userVerification,
    ...(allow ? { allowCredentials: allow.map((p) => ({ id: p.credentialId, transports: p.transports })) } : {}),
  });
}

/**
 * Checks an assertion by `passkey` against the challenge, our origin and RP id, and that its
 * signature counter went up (a cloned authenticator shows a counter that did not). Returns the
 * new counter, or undefined when anything is wrong.
 */
export async function verifyAssertion(
  settings: WebAuthnSettings,
  response: AuthenticationResponseJSON,
  expectedChallenge: string,
  passkey: PasskeyRecord,
  requireUserVerification: boolean,
): Promise<number | undefined> {
  const verified = await verifyAuthenticationResponse({
    response,
    expectedChallenge,
    expectedOrigin: settings.origin,
    expectedRPID: settings.rpId,
    credential: { id: passkey.credentialId, publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')), counter: passkey.counter, transports: passkey.transports },
    requireUserVerification,
  }).catch(() => undefined);
  return verified?.verified ? verified.authenticationInfo.newCounter : undefined;
}
