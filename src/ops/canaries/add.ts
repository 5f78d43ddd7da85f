import type { Kysely } from 'kysely';
import { randomInt } from 'node:crypto';
import type { PasswordHasher } from '../../crypto/password-hasher.ts';
import { randomId, randomToken } from '../../crypto/random.ts';
import { checkBirthDate } from '../../domain/birth-date.ts';
import { systemClock, type Clock } from '../../domain/clock.ts';
import { checkDisplayName } from '../../domain/display-name.ts';
import { checkEmail, maskEmail } from '../../domain/email.ts';
import type { Member } from '../../domain/member.ts';
import { uniqueViolation } from '../../store/database.ts';
import type { Store } from '../../store/store.ts';
import type { Tables } from '../../store/tables.ts';
import { randomIdentity } from './identity.ts';

export class CanaryError extends Error {
  override name = 'CanaryError';
}

export interface AddedCanary {
  id: string;
  /** Shown to the operator once; stored only encrypted, like any member's. */
  email: string;
}

const MAX_TRIES = 20;

/**
 * A member nobody uses: realistic name, an address at the operator's `domain` (one whose mail the
 * operator receives), an adult's birth date, verified, and a 256-bit random password that is hashed
 * and forgotten. Anyone naming its email has member data they should not have.
 */
export async function addCanary(store: Store, hasher: PasswordHasher, options: { domain: string; clock?: Clock }): Promise<AddedCanary> {
  const domain = options.domain.trim().toLowerCase();
  if (!domain || domain.includes('@') || checkEmail(`member@${domain}`) !== undefined) throw new CanaryError(`"${options.domain}" is not a mail domain`);
  const clock = options.clock ?? systemClock;
  const password = await hasher.hash(randomToken());
  for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
    const now = clock.now();
    const identity = randomIdentity(domain, new Date(now));
    if (checkDisplayName(identity.displayName) || checkEmail(identity.email) || checkBirthDate(identity.birthDate, new Date(now))) continue;
    if ((await store.members.displayNameTaken(identity.displayName)) || (await store.members.findByEmail(identity.email))) continue;
    const createdAt = now - randomInt(365 * 24 * 3_600_000);
    const member: Member = {
      id: randomId(),
      ...identity,
      status: 'active',
      emailVerified: true,
      mustReset: false,
      canary: true,
      failedSignIns: 0,
      // Backdated by up to a year, so canaries do not stand out as the newest members.
      createdAt,
      updatedAt: createdAt,
    };
    try {
      await store.transaction((tx) => tx.members.insert(member, password));
    } catch (error) {
      if (uniqueViolation(error)) continue;
      throw error;
    }
    return { id: member.id, email: member.email };
  }
  throw new CanaryError(`no free name and address found at ${domain} after ${MAX_TRIES} tries`);
}

export interface ListedCanary {
  id: string;
  maskedEmail: string;
  status: Member['status'];
}

/** Every canary, with its email masked (`j***@e***.com`). */
export async function listCanaries(db: Kysely<Tables>, store: Store): Promise<ListedCanary[]> {
  const listed: ListedCanary[] = [];
  for (const id of await store.members.canaryIds()) {
    const member = await store.members.findById(id);
    if (member) listed.push({ id, maskedEmail: maskEmail(member.email), status: member.status });
  }
  return listed;
}
