import type { Member } from '../../domain/member.ts';
import type { SessionRecord } from '../../store/sessions.ts';

/**
 * A short-lived in-process cache of session → member, so the authenticated request costs no
 * database read at all while warm. It is only a cache: entries live `ttlMs` at most, and every
 * change to a member (revocation, details, flags) drops that member's entries at once — locally
 * through the store's change feed, on other nodes through Redis.
 */
export interface SessionCache {
  get(tokenHash: string, now: number): CachedSession | undefined;
  set(tokenHash: string, entry: Omit<CachedSession, 'cachedUntil'>, now: number): void;
  forgetMember(memberId: string): void;
  size(): number;
}

export interface CachedSession {
  session: SessionRecord;
  member: Member;
  cachedUntil: number;
}

export function createSessionCache(options: { ttlMs: number; maxEntries: number }): SessionCache {
  const entries = new Map<string, CachedSession>();
  const byMember = new Map<string, Set<string>>();
  const drop = (tokenHash: string) => {
    const entry = entries.get(tokenHash);
    if (!entry) return;
    entries.delete(tokenHash);
    const hashes = byMember.get(entry.member.id);
    hashes?.delete(tokenHash);
    if (hashes?.size === 0) byMember.delete(entry.member.id);
  };
  return {
    get(tokenHash, now) {
      const entry = entries.get(tokenHash);
      if (entry && entry.cachedUntil <= now) {
        drop(tokenHash);
        return undefined;
      }
      return entry;
    },
    set(tokenHash, entry, now) {
      if (entries.size >= options.maxEntries) drop(entries.keys().next().value!);
      entries.set(tokenHash, { ...entry, cachedUntil: now + options.ttlMs });
      let hashes = byMember.get(entry.member.id);
      if (!hashes) byMember.set(entry.member.id, (hashes = new Set()));
      hashes.add(tokenHash);
    },
    forgetMember(memberId) {
      for (const tokenHash of [...(byMember.get(memberId) ?? [])]) drop(tokenHash);
    },
    size: () => entries.size,
  };
}
