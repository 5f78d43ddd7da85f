import type { Member } from '../../domain/member.ts';
import type { Store } from '../../store/store.ts';

/** Queues the "your sign-in methods changed" mail, in the transaction of the change. */
export async function queueMfaNotice(tx: Store, member: Member, change: string, now: number): Promise<void> {
  await tx.outbox.enqueue({ template: 'mfa_changed', to: member.email, data: { displayName: member.displayName, change, when: new Date(now).toUTCString() } }, now);
}
