import type { Member } from '../../domain/member.ts';
import type { FlowDeps } from '../deps.ts';
import { requireCurrentPassword } from '../shared/current-password.ts';
import { requireValid } from '../shared/validate.ts';
import type { ChangePasswordInput } from './input.ts';

export type ChangePasswordDeps = Pick<FlowDeps, 'store' | 'hasher' | 'clock' | 'limits' | 'links' | 'passwordPolicy' | 'audit' | 'mailQueued' | 'capabilities'>;

/** New password with the current one; every other session of the member is signed out. */
export async function changePassword(deps: ChangePasswordDeps, member: Member, currentSessionId: string, input: ChangePasswordInput): Promise<void> {
  deps.capabilities.require('profile_changes', 'write');
  requireValid({ newPassword: await deps.passwordPolicy.check(input.newPassword, { displayName: member.displayName, email: member.email }) });
  await requireCurrentPassword(deps, member, input.currentPassword);
  const password = await deps.hasher.hash(input.newPassword);
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    await tx.members.setPassword(member.id, password, now);
    await tx.sessions.revokeAll(member.id, now, currentSessionId);
    await tx.tokens.voidAll(member.id, 'reset_password', now);
    await tx.outbox.enqueue(
      { template: 'password_changed', to: member.email, data: { displayName: member.displayName, when: new Date(now).toUTCString(), resetLink: deps.links.to('/forgot') } },
      now,
    );
  });
  deps.mailQueued();
  await deps.audit.record({ type: 'password.changed', memberId: member.id, data: { otherSessionsRevoked: true } });
}
