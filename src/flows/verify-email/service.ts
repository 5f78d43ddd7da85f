import { ipPrefix } from '../../domain/ip-prefix.ts';
import type { FlowDeps, RequestContext } from '../deps.ts';
import { consumeOneTimeToken } from '../shared/one-time-links.ts';

export type VerifyEmailDeps = Pick<FlowDeps, 'store' | 'clock' | 'limits' | 'audit'>;

/** Uses the mailed link: single use, expiring. */
export async function verifyEmail(deps: VerifyEmailDeps, token: string, context: RequestContext): Promise<void> {
  await deps.limits.consume('token_ip', context.ip);
  const now = deps.clock.now();
  const memberId = await deps.store.transaction(async (tx) => {
    const { memberId } = await consumeOneTimeToken(tx, token, 'verify_email', now);
    await tx.members.setFlags(memberId, { emailVerified: true }, now);
    return memberId;
  });
  await deps.audit.record({ type: 'email.verified', memberId, ipPrefix: ipPrefix(context.ip) });
}
