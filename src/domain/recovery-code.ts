import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Ten codes per set, each 80 random bits written as 16 base32 characters in groups of four. */
export const RECOVERY_CODE_COUNT = 10;
/** Crockford's base32: no i, l, o or u; a typed i or l reads as 1 and an o as 0. */
const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';

/** A new code such as `k7mq-2xrd-9hpt-w4cs`. */
export function newRecoveryCode(): string {
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join('-');
}

/** What a member types, in any case, with or without dashes and spaces. */
export function normaliseRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, '').replace(/[il]/g, '1').replace(/o/g, '0');
}

/** Bound to the member, so equal codes of two members never share a hash. */
export function hashRecoveryCode(memberId: string, code: string): string {
  return createHash('sha256').update(`recovery\u0000${memberId}\u0000${normaliseRecoveryCode(code)}`, 'utf8').digest('base64url');
}

/** Looks like a recovery code (16 characters of the alphabet once normalised). */
export function isRecoveryCodeShape(input: string): boolean {
  return /^[0-9a-hjkmnp-tv-z]{16}$/.test(normaliseRecoveryCode(input));
}

/** The index of the matching hash, comparing against every one in constant time; -1 if none. */
export function findRecoveryCode(candidateHash: string, stored: readonly string[]): number {
  const candidate = Buffer.from(candidateHash, 'utf8');
  let found = -1;
  stored.forEach((hash, i) => {
    const other = Buffer.from(hash, 'utf8');
    if (other.length === candidate.length && timingSafeEqual(other, candidate) && found === -1) found = i;
  });
  return found;
}
