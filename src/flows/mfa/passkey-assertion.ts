import type { PasskeyRecord } from '../../store/passkeys.ts';
import type { FlowDeps } from '../deps.ts';
import { userHandle, verifyAssertion, type AuthenticationResponseJSON } from './webauthn.ts';

/**
 * The passkey that signed `expectedChallenge`, if the assertion is good: a passkey we know (of
 * `memberId`, when given), our origin and RP id, user verification when required, and a counter
 * that went up. The new counter is stored with a compare-and-set, so two uses of one assertion
 * cannot both pass.
 */
export async function checkPasskeyAssertion(
  deps: Pick<FlowDeps, 'store' | 'clock' | 'webauthn'>,
  response: AuthenticationResponseJSON,
  expectedChallenge: string,
  options: { memberId?: string; requireUserVerification: boolean },
): Promise<PasskeyRecord | undefined> {
  if (typeof response?.id !== 'string' || response.id.length > 1400) return undefined;
  const passkey = await deps.store.passkeys.findByCredentialId(response.id);
  if (!passkey || (options.memberId !== undefined && passkey.memberId !== options.memberId)) return undefined;
  const handle = response.response?.userHandle;
  if (handle !== undefined && handle !== userHandle(passkey.memberId)) return undefined;
  const newCounter = await verifyAssertion(deps.webauthn, response, expectedChallenge, passkey, options.requireUserVerification);
  if (newCounter === undefined) return undefined;
  if (!(await deps.store.passkeys.used(passkey.id, passkey.counter, newCounter, deps.clock.now()))) return undefined;
  return passkey;
}
