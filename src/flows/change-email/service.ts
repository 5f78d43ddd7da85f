import { uniqueViolation } from '../../store/database.ts';
import { checkEmail, cleanEmail, maskEmail, normaliseEmail } from '../../domain/email.ts';
import { PassError } from '../../domain/errors.ts';
import { ipPrefix } from '../../domain/ip-prefix.ts';
import type { Member } from '../../domain/member.ts';
import type { FlowDeps, RequestContext } from '../deps.ts';
import { requireCurrentPassword } from '../shared/current-password.ts';
import { consumeOneTimeToken, issueOneTimeToken } from '../shared/one-time-links.ts';
import { requireValid } from '../shared/validate.ts';
import type { ChangeEmailInput } from './input.ts';

export type ChangeEmailDeps = Pick<FlowDeps, 'store' | 'hasher' | 'clock' | 'limits' | 'links' | 'policy' | 'audit' | 'mailQueued' | 'capabilities'>;

/**
 * Asks to move the account to a new address: a confirmation link goes to the new address and a
 * notice to the old one. A new address that already has an account gets a notice instead, and the
 * caller sees the same answer.
 */
export async function requestEmailChange(deps: ChangeEmailDeps, member: Member, input: ChangeEmailInput): Promise<void> {
  deps.capabilities.require('profile_changes', 'write');
  requireValid({ newEmail: checkEmail(input.newEmail) });
  const newEmail = cleanEmail(input.newEmail);
  if (normaliseEmail(newEmail) === normaliseEmail(member.email)) throw new PassError('validation_failed', { fields: { newEmail: 'unchanged' } });
  await requireCurrentPassword(deps, member, input.currentPassword);
  const now = deps.clock.now();
  const owner = await deps.store.members.findByEmail(newEmail);
  await deps.store.transaction(async (tx) => {
    if (owner) {
      await tx.outbox.enqueue({ template: 'email_in_use', to: newEmail, data: { signInLink: deps.links.to('/sign-in') } }, now);
      return;
    }
    const token = await issueOneTimeToken(tx, { memberId: member.id, purpose: 'change_email', now, ttlMs: deps.policy.emailChangeTokenMs, payload: newEmail });
    const data = { displayName: member.displayName };
    await tx.outbox.enqueue({ template: 'confirm_email_change', to: newEmail, data: { ...data, link: deps.links.to('/confirm-email', token) } }, now);
    await tx.outbox.enqueue({ template: 'email_change_requested', to: member.email, data: { ...data, newEmailHint: maskEmail(newEmail), resetLink: deps.links.to('/forgot') } }, now);
  });
  deps.mailQueued();
  await deps.audit.record({ type: 'email.change_requested', memberId: member.id });
}

/** Uses the link mailed to the new address; the old address is told once it is done. */
export async function confirmEmailChange(deps: ChangeEmailDeps, token: string, context: RequestContext): Promise<void> {
  deps.capabilities.require('profile_changes', 'write');
  await deps.limits.consume('token_ip', context.ip);
  const now = deps.clock.now();
  let changedMemberId = '';
  try {
    await deps.store.transaction(async (tx) => {
      const { memberId, payload: newEmail } = await consumeOneTimeToken(tx, token, 'change_email', now);
      const member = await tx.members.findById(memberId);
      if (!member || !newEmail || member.status !== 'active') throw new PassError('token_invalid');
      await tx.members.updateEmail(memberId, newEmail, now);
      changedMemberId = memberId;
      await tx.outbox.enqueue(
        { template: 'email_changed', to: member.email, data: { displayName: member.displayName, newEmailHint: maskEmail(newEmail), resetLink: deps.links.to('/forgot') } },
        now,
      );
    });
  } catch (error) {
    if (uniqueViolation(error)?.includes('email_idx')) throw new PassError('email_unavailable');
    throw error;
  }
  deps.mailQueued();
  await deps.audit.record({ type: 'email.changed', memberId: changedMemberId, ipPrefix: ipPrefix(context.ip) });
}
