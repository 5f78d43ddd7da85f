import { ipPrefix } from '../../domain/ip-prefix.ts';
import type { Member } from '../../domain/member.ts';
import type { Store } from '../../store/store.ts';
import type { FlowDeps, RequestContext } from '../deps.ts';
import { issueOneTimeToken } from '../shared/one-time-links.ts';

/** Mails the member about a sign-in from a device they have not used before, with a "this wasn't me" link. */
export async function noticeNewDevice(tx: Store, deps: Pick<FlowDeps, 'links' | 'policy'>, member: Member, context: RequestContext, now: number): Promise<void> {
  const token = await issueOneTimeToken(tx, { memberId: member.id, purpose: 'report_sign_in', now, ttlMs: deps.policy.reportSignInTokenMs });
  await tx.outbox.enqueue(
    {
      template: 'new_device',
      to: member.email,
      data: {
        displayName: member.displayName,
        when: new Date(now).toUTCString(),
        network: ipPrefix(context.ip),
        device: (context.userAgent ?? 'an unknown device').slice(0, 200),
        notMeLink: deps.links.to('/not-me', token),
      },
    },
    now,
  );
}
