/**
 * A blocklist of common and breached passwords (NIST SP 800-63B §3.1.1.2, OWASP ASVS 5.0 §6.2).
 * The composition root hands in the words (the zxcvbn-ts common list); this file only decides what
 * counts as the same password. Each listed word and each candidate is reduced to one key, so a
 * lookup is a single Set access however long the list is.
 *
 * Trivial variants of a listed word map to the same key: any case, surrounding whitespace, digits or
 * symbols appended (`Password123!`), separators inside (`pass-word`) and leet-speak (`p@ssw0rd`) —
 * as long as the listed word's core has at least 4 characters, so short cores such as `abc` in
 * `abc123` do not swallow every password that starts with them.
 */
export interface CommonPasswordList {
  has(password: string): boolean;
  /** Distinct words read (case-insensitive). */
  readonly size: number;
}

const LEET: Record<string, string> = {
  '@': 'a', '4': 'a', '3': 'e', '1': 'i', '!': 'i', '|': 'i', l: 'i',
  '0': 'o', '$': 's', '5': 's', '7': 't', '+': 't', '8': 'b', '9': 'g',
};

const CORE_MIN = 4;

function key(password: string): string {
  const typed = password.normalize('NFC').toLowerCase().trim();
  // The core ends at its last letter: `password123!` → `password`, folded from leet to letters.
  const letters = typed.replace(/[^\p{L}]+$/u, '');
  let folded = '';
  for (const c of letters) folded += LEET[c] ?? c;
  folded = folded.replace(/[^\p{L}\p{N}]/gu, '');
  if ([...folded].length >= CORE_MIN) return `w:${folded}`;
  // Mostly digits (`123456`, `abc123`): only symbols appended are a variant.
  const digits = typed.replace(/[^\p{L}\p{N}]+$/u, '');
  if ([...digits].length >= CORE_MIN) return `n:${digits}`;
  return `x:${typed}`;
}

export function createCommonPasswordList(words: Iterable<string>): CommonPasswordList {
  const keys = new Set<string>();
  const distinct = new Set<string>();
  for (const word of words) {
    if (word.trim() === '') continue;
    distinct.add(word.normalize('NFC').toLowerCase());
    keys.add(key(word));
  }
  const size = distinct.size;
  return {
    size,
    has: (password) => password.trim() !== '' && keys.has(key(password)),
  };
}
