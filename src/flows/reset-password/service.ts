import { hashToken } from '../../crypto/random.ts';
import { normaliseEmail } from '../../domain/email.ts';
import { ipPrefix } from '../../domain/ip-prefix.ts';
import { PassError } from '../../domain/errors.ts';
import { checkCanary } from '../../ops/canaries/check.ts';
import type { FlowDeps, RequestContext } from '../deps.ts';
import { checkOneTimeToken, consumeOneTimeToken, issueOneTimeToken } from '../shared/one-time-links.ts';
import { requireValid } from '../shared/validate.ts';
import type { ResetCompleteInput, ResetRequestInput } from './input.ts';

export type ResetDeps = Pick<FlowDeps, 'store' | 'hasher' | 'clock' | 'limits' | 'links' | 'policy' | 'passwordPolicy' | 'audit' | 'alarms' | 'mailQueued' | 'capabilities'>;

/** Always the same answer; a link only goes out when the address belongs to an active member. */
export async function requestPasswordReset(deps: ResetDeps, input: ResetRequestInput, context: RequestContext): Promise<void> {
  deps.capabilities.require('password_reset', 'write');
  await deps.limits.consume('reset_request_ip', context.ip);
  // Past this budget the answer stays the same, but no more mail goes to that address.
  const withinBudget = await deps.limits.consume('reset_request_account', hashToken(normaliseEmail(input.email))).then(
    () => true,
    (error: unknown) => (error instanceof PassError && error.code === 'rate_limited' ? false : Promise.reject(error)),
  );
  const member = input.email.trim() === '' ? undefined : await deps.store.members.findByEmail(input.email);
  // Same answer for a canary, but no link: nobody may ever take one over.
  if (await checkCanary(deps.alarms, member, 'password_reset', context.ip)) return;
  if (!member || member.status !== 'active' || !withinBudget) return;
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    const token = await issueOneTimeToken(tx, { memberId: member.id, purpose: 'reset_password', now, ttlMs: deps.policy.resetTokenMs });
    await tx.outbox.enqueue({ template: 'reset_password', to: member.email, data: { displayName: member.displayName, link: deps.links.to('/reset', token) } }, now);
  });
  deps.mailQueued();
  await deps.audit.record({ type: 'password_reset.requested', memberId: member.id, ipPrefix: ipPrefix(context.ip) });
}

/** Sets the new password, signs out every session and tells the member by mail. */
export async function completePasswordReset(deps: ResetDeps, input: ResetCompleteInput, context: RequestContext): Promise<void> {
  deps.capabilities.require('password_reset', 'write');
  await deps.limits.consume('token_ip', context.ip);
  // Check the link first without using it up, so a refused password leaves the link usable.
  const { memberId } = await checkOneTimeToken(deps.store, input.token, 'reset_password', deps.clock.now());
  const member = await deps.store.members.findById(memberId);
  if (!member || member.status !== 'active') throw new PassError('token_invalid');
  requireValid({ newPassword: await deps.passwordPolicy.check(input.newPassword, { displayName: member.displayName, email: member.email }) });
  const password = await deps.hasher.hash(input.newPassword);
  const now = deps.clock.now();
  await deps.store.transaction(async (tx) => {
    await consumeOneTimeToken(tx, input.token, 'reset_password', now);
    await tx.members.setPassword(member.id, password, now);
    await tx.members.setFlags(member.id, { emailVerified: true, mustReset: false }, now);
    await tx.members.clearFailedSignIns(member.id);
    await tx.sessions.revokeAll(member.id, now);
    await tx.outbox.enqueue(
      { template: 'password_changed', to: member.email, data: { displayName: member.displayName, when: new Date(now).toUTCString(), resetLink: deps.links.to('/forgot') } },
      now,
    );
  });
  deps.mailQueued();
  await deps.audit.record({ type: 'password_reset.completed', memberId: member.id, ipPrefix: ipPrefix(context.ip), data: { allSessionsRevoked: true } });
}
