import { hashToken, randomToken } from '../../crypto/random.ts';
import type { Store } from '../../store/store.ts';
import type { TokenPurpose } from '../../store/tables.ts';
import { PassError } from '../../domain/errors.ts';

/** Issues a single-use token (only its hash is stored) and returns the token for the mailed link. */
export async function issueOneTimeToken(
  tx: Store,
  input: { memberId: string; purpose: TokenPurpose; now: number; ttlMs: number; payload?: string },
): Promise<string> {
  const token = randomToken();
  await tx.tokens.issue({
    memberId: input.memberId,
    purpose: input.purpose,
    tokenHash: hashToken(token),
    now: input.now,
    expiresAt: input.now + input.ttlMs,
    ...(input.payload !== undefined ? { payload: input.payload } : {}),
  });
  return token;
}

/** Marks the token used and returns its member and payload, or throws token_invalid/_expired/_used. */
export async function consumeOneTimeToken(tx: Store, token: string, purpose: TokenPurpose, now: number) {
  const result = await tx.tokens.consume(hashToken(token), purpose, now);
  if (!result.ok) throw new PassError(result.reason);
  return result;
}

export async function checkOneTimeToken(store: Store, token: string, purpose: TokenPurpose, now: number) {
  const result = await store.tokens.peek(hashToken(token), purpose, now);
  if (!result.ok) throw new PassError(result.reason);
  return result;
}
