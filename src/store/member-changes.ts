/**
 * Tells whoever caches member or session state (the session cache) that a member's state changed:
 * a session revoked, details or flags updated. Writes inside a transaction are announced only once
 * it commits, so a cache never refills from data that could still roll back or is not yet visible.
 */
export interface MemberChanges {
  changed(memberId: string): void;
  onChange(listener: (memberId: string) => void): void;
}

export function createMemberChanges(): MemberChanges {
  const listeners: ((memberId: string) => void)[] = [];
  return {
    changed(memberId) {
      for (const listener of listeners) listener(memberId);
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}
