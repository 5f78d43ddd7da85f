import { PassError, validationFailed } from '../../domain/errors.ts';
import { checkCanary } from '../../ops/canaries/check.ts';
import type { FlowDeps } from '../deps.ts';
import { requireRecentAuth } from '../mfa/recent-auth.ts';
import type { Authenticated } from '../sessions/authenticate.ts';
import { requireCurrentPassword } from '../shared/current-password.ts';
import type { DeleteAccountInput } from './input.ts';

export type DeleteAccountDeps = Pick<FlowDeps, 'store' | 'hasher' | 'clock' | 'policy' | 'limits' | 'audit' | 'alarms' | 'capabilities' | 'mailQueued'>;

/**
 * GDPR Art. 17: the member and everything keyed by them are erased in one transaction (src/store/
 * member-data.ts), their unsent mail dropped, a goodbye mail queued to the address, and caches told.
 * What stays: the audit trail with the bare member id (the chain cannot lose rows), and incident
 * scopes. The address and display name are free again at once.
 *
 * Proof: the current password; a member without one (passkeys only) needs a recent sign-in.
 * A canary is never deleted: nobody holds its password, so whoever asks has stolen its session;
 * they get the wrong-password answer and the operators get the canary alarm.
 */
export async function deleteAccount(deps: DeleteAccountDeps, auth: Authenticated, input: DeleteAccountInput, ip: string): Promise<void> {
  deps.capabilities.require('profile_changes', 'write');
  const member = auth.member;
  const canary = await checkCanary(deps.alarms, member, 'account_delete', ip);
  const hasPassword = (await deps.store.members.password(member.id)) !== undefined;
  if (hasPassword) {
    if (!input.currentPassword) throw validationFailed({ currentPassword: 'required' });
    await requireCurrentPassword(deps, member, input.currentPassword);
  } else {
    requireRecentAuth(deps, auth);
  }
  if (canary) {
    throw new PassError('password_incorrect', { fields: { currentPassword: 'password_incorrect' } });
  }
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    await tx.outbox.dropUnsentTo(member.email);
    // Queued before the erasure, in the same transaction; sent, the row keeps no recipient.
    await tx.outbox.enqueue({ template: 'account_deleted', to: member.email, data: { displayName: member.displayName, when: new Date(now).toUTCString() } }, now);
    await tx.memberData.erase(member.id);
  });
  deps.mailQueued();
  await deps.audit.record({ type: 'account.deleted', memberId: member.id });
}
