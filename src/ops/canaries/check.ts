import { ipPrefix } from '../../domain/ip-prefix.ts';
import type { Member } from '../../domain/member.ts';
import type { Alarms } from '../alarms.ts';

/** Where a canary's email was named: each is an attempt by someone holding leaked member data. */
export type CanaryVia = 'sign_in' | 'password_reset' | 'oidc' | 'account_delete';

/**
 * Raises the critical `canary_used` alarm when `member` is a canary; resolves to whether it was. It
 * never rejects: the caller must answer exactly as for any member, so a failing audit append cannot
 * turn into a different answer (the alarm is logged and counted before the append is tried).
 * Sign-in, reset requests and (later) the OIDC login and account lookups call this after finding
 * the member by email.
 */
export async function checkCanary(alarms: Pick<Alarms, 'raise'>, member: Pick<Member, 'id' | 'canary'> | undefined, via: CanaryVia, ip: string): Promise<boolean> {
  if (!member?.canary) return false;
  await alarms.raise({ kind: 'canary_used', severity: 'critical', memberId: member.id, ipPrefix: ipPrefix(ip), data: { via } }).catch(() => undefined);
  return true;
}
