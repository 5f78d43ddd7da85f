import type { Store } from '../../store/store.ts';

export type MfaMethod = 'totp' | 'passkey' | 'recovery_code';

export interface MfaStatus {
  /** True once the member has an authenticator app or a passkey: sign-in then asks for one. */
  enabled: boolean;
  totp: 'off' | 'pending' | 'on';
  passkeys: number;
  recoveryCodesLeft: number;
}

export async function mfaStatus(store: Store, memberId: string): Promise<MfaStatus> {
  // One after the other: inside a transaction they share one connection.
  const totp = await store.totp.find(memberId);
  const passkeys = await store.passkeys.count(memberId);
  const codes = await store.recoveryCodes.unused(memberId);
  const totpState = !totp ? 'off' : totp.confirmed ? 'on' : 'pending';
  return { enabled: totpState === 'on' || passkeys > 0, totp: totpState, passkeys, recoveryCodesLeft: codes.length };
}

/** What the second sign-in step may be passed with; empty when the member has no second factor. */
export async function mfaMethods(store: Store, memberId: string): Promise<MfaMethod[]> {
  // Every password sign-in asks, so the common case (no factor) costs two point reads.
  const methods: MfaMethod[] = [];
  if ((await store.totp.find(memberId))?.confirmed) methods.push('totp');
  if ((await store.passkeys.count(memberId)) > 0) methods.push('passkey');
  if (methods.length > 0 && (await store.recoveryCodes.unused(memberId)).length > 0) methods.push('recovery_code');
  return methods;
}

/** After a factor was removed: with none left, the recovery codes go too (they belong to MFA). */
export async function dropRecoveryCodesIfNoFactor(tx: Store, memberId: string): Promise<boolean> {
  const status = await mfaStatus(tx, memberId);
  if (status.enabled) return false;
  await tx.recoveryCodes.removeAll(memberId);
  return true;
}
