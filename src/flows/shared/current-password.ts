import { PassError } from '../../domain/errors.ts';
import type { Member } from '../../domain/member.ts';
import type { FlowDeps } from '../deps.ts';

/** Sensitive changes need the current password, with their own limit so a stolen session cannot guess it. */
export async function requireCurrentPassword(deps: Pick<FlowDeps, 'store' | 'hasher' | 'limits'>, member: Member, password: string): Promise<void> {
  await deps.limits.consume('member_sensitive', member.id);
  const stored = await deps.store.members.password(member.id);
  const ok = stored ? await deps.hasher.verify(stored, password) : (await deps.hasher.verifyDummy(password), false);
  if (!ok) throw new PassError('password_incorrect', { fields: { currentPassword: 'password_incorrect' } });
}
