import { hashToken, randomToken } from '../../crypto/random.ts';
import { PassError } from '../../domain/errors.ts';
import type { MfaChallengeRecord } from '../../store/mfa-challenges.ts';
import type { Store } from '../../store/store.ts';
import type { MfaChallengePurpose } from '../../store/mfa-tables.ts';

export interface OpenedChallenge {
  /** 256 random bits for the client; only its SHA-256 is stored. */
  challengeId: string;
  expiresAt: number;
}

export async function openChallenge(store: Store, challenge: Omit<MfaChallengeRecord, 'attempts'>, now: number): Promise<OpenedChallenge> {
  const challengeId = randomToken();
  await store.mfaChallenges.create(hashToken(challengeId), { ...challenge, attempts: 0 }, now);
  return { challengeId, expiresAt: challenge.expiresAt };
}

/** The live challenge behind a client's id, or mfa_challenge_invalid. */
export async function liveChallenge(store: Store, challengeId: string, purpose: MfaChallengePurpose, now: number): Promise<MfaChallengeRecord & { idHash: string }> {
  if (challengeId.length < 20 || challengeId.length > 100) throw new PassError('mfa_challenge_invalid');
  const idHash = hashToken(challengeId);
  const challenge = await store.mfaChallenges.findLive(idHash, purpose, now);
  if (!challenge) throw new PassError('mfa_challenge_invalid');
  return { ...challenge, idHash };
}
