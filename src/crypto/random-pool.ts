import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for nonces and row ids, drawn from a 64 KiB buffer refilled from the CSPRNG when used
 * up: each `randomBytes` call crosses into OpenSSL, which costs some microseconds, and a bulk import
 * needs five of these per row. Every byte is handed out once (copied out, never reused), so the
 * values are exactly as random as the CSPRNG's. Not for long-lived secrets (keys, tokens): those
 * keep coming from `randomBytes` directly, so they never sit in a buffer shared with public values.
 */
const POOL_BYTES = 64 * 1024;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

export function pooledRandomBytes(size: number): Buffer {
  if (size > POOL_BYTES / 4) return randomFillSync(Buffer.allocUnsafe(size));
  if (offset + size > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + size));
  pool.fill(0, offset, offset + size);
  offset += size;
  return out;
}

/** As `randomId` (128 bits, base64url), from the pool. */
export function pooledRandomId(): string {
  return pooledRandomBytes(16).toString('base64url');
}
