import type { Kysely } from 'kysely';
import { randomId } from '../crypto/random.ts';
import type { Tables } from '../store/tables.ts';

/**
 * The `sub` a member has towards clients: a random id made on first use and kept, so it is stable
 * and reveals neither the member id (seen in the API and logs) nor the email address. oidc-provider
 * knows members only by it: sessions, grants and tokens carry this id and nothing personal.
 */
export interface Subjects {
  forMember(memberId: string): Promise<string>;
  memberOf(sub: string): Promise<string | undefined>;
}

export function createSubjects(db: Kysely<Tables>, now: () => number = Date.now): Subjects {
  const existing = (memberId: string) => db.selectFrom('oidc_subjects').select('sub').where('member_id', '=', memberId).executeTakeFirst();
  return {
    async forMember(memberId) {
      const found = await existing(memberId);
      if (found) return found.sub;
      // Two nodes may race here: the unique member_id keeps one row, and both read that one back.
      await db
        .insertInto('oidc_subjects')
        .values({ sub: randomId(), member_id: memberId, created_at: now() })
        .onConflict((oc) => oc.column('member_id').doNothing())
        .execute();
      return (await existing(memberId))!.sub;
    },
    async memberOf(sub) {
      if (typeof sub !== 'string' || sub.length > 64) return undefined;
      return (await db.selectFrom('oidc_subjects').select('member_id').where('sub', '=', sub).executeTakeFirst())?.member_id;
    },
  };
}
