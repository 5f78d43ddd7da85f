import { findRecoveryCode, hashRecoveryCode, newRecoveryCode, RECOVERY_CODE_COUNT } from '../../domain/recovery-code.ts';
import { PassError } from '../../domain/errors.ts';
import type { Member } from '../../domain/member.ts';
import type { Store } from '../../store/store.ts';
import type { FlowDeps } from '../deps.ts';
import type { Authenticated } from '../sessions/authenticate.ts';
import { queueMfaNotice } from './notice.ts';
import { requireRecentAuth } from './recent-auth.ts';
import { mfaStatus } from './service.ts';

export type RecoveryCodesDeps = Pick<FlowDeps, 'store' | 'clock' | 'policy' | 'audit' | 'mailQueued' | 'capabilities'>;

/** A new set of codes (the old set is void); only their hashes are stored. The codes are shown once. */
export async function issueRecoveryCodes(tx: Store, memberId: string, now: number): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await tx.recoveryCodes.replace(memberId, codes.map((code) => hashRecoveryCode(memberId, code)), now);
  return codes;
}

/** The first factor a member adds brings the recovery codes with it. */
export async function issueRecoveryCodesIfFirstFactor(tx: Store, memberId: string, now: number): Promise<string[] | undefined> {
  const codes = await tx.recoveryCodes.unused(memberId);
  return codes.length === 0 ? issueRecoveryCodes(tx, memberId, now) : undefined;
}

export async function regenerateRecoveryCodes(deps: RecoveryCodesDeps, auth: Authenticated): Promise<string[]> {
  deps.capabilities.require('profile_changes', 'write');
  requireRecentAuth(deps, auth);
  const { member } = auth;
  if (!(await mfaStatus(deps.store, member.id)).enabled) throw new PassError('mfa_not_enabled');
  const now = deps.clock.now();
  const codes = await deps.store.transaction(async (tx) => {
    const issued = await issueRecoveryCodes(tx, member.id, now);
    await queueMfaNotice(tx, member, 'New recovery codes were made (the old ones no longer work)', now);
    return issued;
  });
  deps.mailQueued();
  await deps.audit.record({ type: 'mfa.recovery_codes_generated', memberId: member.id, data: { count: codes.length } });
  return codes;
}

/**
 * Uses up one recovery code of the member: compared against every unused code in constant time,
 * then marked used (a second request with the same code loses). Mails a notice with the count left.
 */
export async function redeemRecoveryCode(deps: Pick<FlowDeps, 'store' | 'clock' | 'audit' | 'mailQueued'>, member: Member, code: string): Promise<boolean> {
  const unused = await deps.store.recoveryCodes.unused(member.id);
  const index = findRecoveryCode(hashRecoveryCode(member.id, code), unused.map((c) => c.codeHash));
  if (index === -1) return false;
  const now = deps.clock.now();
  const used = await deps.store.transaction(async (tx) => {
    if (!(await tx.recoveryCodes.markUsed(unused[index]!.id, now))) return false;
    await tx.outbox.enqueue(
      { template: 'recovery_code_used', to: member.email, data: { displayName: member.displayName, when: new Date(now).toUTCString(), remaining: String(unused.length - 1) } },
      now,
    );
    return true;
  });
  if (!used) return false;
  deps.mailQueued();
  await deps.audit.record({ type: 'mfa.recovery_code_used', memberId: member.id, data: { remaining: unused.length - 1 } });
  return true;
}
