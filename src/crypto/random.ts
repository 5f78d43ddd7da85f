import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A 256-bit random token, as mailed or handed to a client. Only `hashToken` of it is stored. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** Random ids for rows: 128 bits, not sequential, so ids reveal neither counts nor order. */
export function randomId(): string {
  return randomBytes(16).toString('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
