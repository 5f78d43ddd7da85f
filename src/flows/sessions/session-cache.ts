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

/**
 * `spread` (0 to 1) shortens each entry's life by up to that fraction of `ttlMs`, by an amount taken
 * from its token hash: sessions cached together (a node's first seconds, a busy minute) then expire
 * spread out instead of all reloading in the same instant, which showed as the p99 of session checks.
 */
export function createSessionCache(options: { ttlMs: number; maxEntries: number; spread?: number }): SessionCache {
  const spread = Math.min(Math.max(options.spread ?? 0, 0), 1);
  const lifetime = (tokenHash: string) => {
    if (spread === 0) return options.ttlMs;
    const u = ((tokenHash.charCodeAt(0) << 8) | tokenHash.charCodeAt(1)) % 1024 / 1024;
    return Math.round(options.ttlMs * (1 - spread * u));
  };
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
      entries.set(tokenHash, { ...entry, cachedUntil: now + lifetime(tokenHash) });
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
