import { ipPrefix } from '../../domain/ip-prefix.ts';
import type { FlowDeps, RequestContext } from '../deps.ts';
import { consumeOneTimeToken, issueOneTimeToken } from '../shared/one-time-links.ts';

export type ReportSignInDeps = Pick<FlowDeps, 'store' | 'clock' | 'limits' | 'links' | 'policy' | 'audit' | 'mailQueued'>;

/**
 * "This wasn't me", from the new-device mail: every session ends, the known devices are forgotten,
 * and the account needs a new password (a reset link is mailed) before anyone can sign in again.
 */
export async function reportSignIn(deps: ReportSignInDeps, token: string, context: RequestContext): Promise<void> {
  await deps.limits.consume('token_ip', context.ip);
  const now = deps.clock.now();
  const memberId = await deps.store.transaction(async (tx) => {
    const { memberId } = await consumeOneTimeToken(tx, token, 'report_sign_in', now);
    const member = await tx.members.findById(memberId);
    if (!member) return memberId;
    await tx.sessions.revokeAll(memberId, now);
    await tx.devices.forgetAll(memberId);
    await tx.members.setFlags(memberId, { mustReset: true }, now);
    const reset = await issueOneTimeToken(tx, { memberId, purpose: 'reset_password', now, ttlMs: deps.policy.resetTokenMs });
    await tx.outbox.enqueue({ template: 'reset_password', to: member.email, data: { displayName: member.displayName, link: deps.links.to('/reset', reset) } }, now);
    return memberId;
  });
  deps.mailQueued();
  await deps.audit.record({ type: 'member.reported_sign_in', memberId, ipPrefix: ipPrefix(context.ip) });
}
