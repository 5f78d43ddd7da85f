import type { Account, AccountClaims, FindAccount } from 'oidc-provider';
import type { Member } from '../domain/member.ts';
import type { Subjects } from './subjects.ts';

export interface MemberLookup {
  findById(id: string): Promise<Member | undefined>;
}

/** oidc-provider's `findAccount`: the opaque subject → an active member and the claims it may release. */
export function createFindAccount(subjects: Subjects, members: MemberLookup): FindAccount {
  return async (_ctx, sub) => {
    const memberId = await subjects.memberOf(sub);
    const member = memberId ? await members.findById(memberId) : undefined;
    if (!member || member.status !== 'active') return undefined;
    const account: Account = { accountId: sub, claims: (_use, scope) => claimsFor(sub, member, scope) };
    return account;
  };
}

/**
 * Only what the granted scopes name (oidc-provider filters again by the grant). `birthdate` can be
 * granted only to clients allowed that scope, since a client's allowed scopes bound what it may ask.
 */
export function claimsFor(sub: string, member: Member, scope: string): AccountClaims {
  const granted = new Set(scope.split(' '));
  return {
    sub,
    ...(granted.has('profile') ? { name: member.displayName, preferred_username: member.displayName } : {}),
    ...(granted.has('email') ? { email: member.email, email_verified: member.emailVerified } : {}),
    ...(granted.has('birthdate') ? { birthdate: member.birthDate } : {}),
  };
}
