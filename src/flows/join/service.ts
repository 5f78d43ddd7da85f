import { randomId } from '../../crypto/random.ts';
import { uniqueViolation } from '../../store/database.ts';
import { checkBirthDate } from '../../domain/birth-date.ts';
import { checkDisplayName, cleanDisplayName } from '../../domain/display-name.ts';
import { checkEmail, cleanEmail } from '../../domain/email.ts';
import { PassError } from '../../domain/errors.ts';
import { ipPrefix } from '../../domain/ip-prefix.ts';
import type { Member } from '../../domain/member.ts';
import type { FlowDeps, RequestContext } from '../deps.ts';
import { issueOneTimeToken } from '../shared/one-time-links.ts';
import { requireValid } from '../shared/validate.ts';
import type { JoinInput } from './input.ts';

export type JoinDeps = Pick<FlowDeps, 'store' | 'hasher' | 'clock' | 'limits' | 'links' | 'policy' | 'passwordPolicy' | 'audit' | 'mailQueued' | 'capabilities'>;

/**
 * Creates a member and mails a verification link. When the email already has an account the caller
 * sees exactly the same answer, and the owner gets a mail instead, so joining reveals nothing.
 */
export async function join(deps: JoinDeps, input: JoinInput, context: RequestContext): Promise<void> {
  deps.capabilities.require('join', 'write');
  await deps.limits.consume('join_ip', context.ip);
  const displayName = cleanDisplayName(input.displayName);
  const email = cleanEmail(input.email);
  const today = new Date(deps.clock.now());
  requireValid({
    displayName: checkDisplayName(input.displayName),
    email: checkEmail(input.email),
    birthDate: checkBirthDate(input.birthDate.trim(), today),
    password: await deps.passwordPolicy.check(input.password, { displayName, email }),
  });
  if (await deps.store.members.displayNameTaken(displayName)) throw displayNameTaken();

  // Hash before looking the email up, so a taken email costs the same time as a new one.
  const password = await deps.hasher.hash(input.password);
  const now = deps.clock.now();
  const existing = await deps.store.members.findByEmail(email);
  if (existing) {
    await mailOwner(deps, existing, now);
    return;
  }
  const member: Member = {
    id: randomId(),
    displayName,
    email,
    birthDate: input.birthDate.trim(),
    status: 'active',
    emailVerified: false,
    mustReset: false,
    canary: false,
    failedSignIns: 0,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await deps.store.transaction(async (tx) => {
      await tx.members.insert(member, password);
      const token = await issueOneTimeToken(tx, { memberId: member.id, purpose: 'verify_email', now, ttlMs: deps.policy.verifyTokenMs });
      await tx.outbox.enqueue({ template: 'verify_email', to: email, data: { displayName, link: deps.links.to('/verify', token) } }, now);
    });
  } catch (error) {
    const constraint = uniqueViolation(error);
    if (constraint?.includes('display_name_idx')) throw displayNameTaken();
    if (!constraint?.includes('email_idx')) throw error;
    // Someone joined with this email between our lookup and insert: answer as for any taken email.
    const winner = await deps.store.members.findByEmail(email);
    if (winner) await mailOwner(deps, winner, now);
    return;
  }
  deps.mailQueued();
  await deps.audit.record({ type: 'member.joined', memberId: member.id, ipPrefix: ipPrefix(context.ip) });
}

function displayNameTaken(): PassError {
  return new PassError('display_name_taken', { fields: { displayName: 'display_name_taken' } });
}

async function mailOwner(deps: JoinDeps, owner: Member, now: number): Promise<void> {
  await deps.store.outbox.enqueue(
    {
      template: 'account_exists',
      to: owner.email,
      data: { displayName: owner.displayName, signInLink: deps.links.to('/sign-in'), resetLink: deps.links.to('/forgot') },
    },
    now,
  );
  deps.mailQueued();
}
