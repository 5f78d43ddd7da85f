import { uniqueViolation } from '../../store/database.ts';
import { checkBirthDate } from '../../domain/birth-date.ts';
import { checkDisplayName, cleanDisplayName } from '../../domain/display-name.ts';
import { PassError } from '../../domain/errors.ts';
import type { Member } from '../../domain/member.ts';
import type { FlowDeps } from '../deps.ts';
import { requireValid } from '../shared/validate.ts';
import type { DetailsPatch, Me } from './input.ts';

export type DetailsDeps = Pick<FlowDeps, 'store' | 'clock' | 'audit' | 'capabilities'>;

export function describeMember(member: Member): Me {
  return {
    id: member.id,
    displayName: member.displayName,
    email: member.email,
    emailVerified: member.emailVerified,
    birthDate: member.birthDate,
    createdAt: new Date(member.createdAt).toISOString(),
  };
}

/** What the member may read about themselves: refused while profile_changes is off (not while read-only). */
export function readDetails(deps: Pick<FlowDeps, 'capabilities'>, member: Member): Me {
  deps.capabilities.require('profile_changes', 'read');
  return describeMember(member);
}

/** Changes the display name and/or birth date; returns the member as now stored. */
export async function updateDetails(deps: DetailsDeps, member: Member, patch: DetailsPatch): Promise<Member> {
  deps.capabilities.require('profile_changes', 'write');
  const today = new Date(deps.clock.now());
  requireValid({
    displayName: patch.displayName === undefined ? undefined : checkDisplayName(patch.displayName),
    birthDate: patch.birthDate === undefined ? undefined : checkBirthDate(patch.birthDate.trim(), today),
  });
  const changes: { displayName?: string; birthDate?: string } = {};
  if (patch.displayName !== undefined) changes.displayName = cleanDisplayName(patch.displayName);
  if (patch.birthDate !== undefined) changes.birthDate = patch.birthDate.trim();
  if (changes.displayName !== undefined && (await deps.store.members.displayNameTaken(changes.displayName, member.id))) {
    throw new PassError('display_name_taken', { fields: { displayName: 'display_name_taken' } });
  }
  try {
    await deps.store.members.updateDetails(member.id, changes, deps.clock.now());
  } catch (error) {
    if (uniqueViolation(error)?.includes('display_name_idx')) {
      throw new PassError('display_name_taken', { fields: { displayName: 'display_name_taken' } });
    }
    throw error;
  }
  await deps.audit.record({ type: 'member.details_changed', memberId: member.id, data: { displayName: changes.displayName !== undefined, birthDate: changes.birthDate !== undefined } });
  const updated = await deps.store.members.findById(member.id);
  if (!updated) throw new PassError('unauthenticated');
  return updated;
}
