import { createHmac } from 'node:crypto';
import { canonicalRow, type HashedFields } from './canonical.ts';

/** The `prev_hash` of row 1: the chain has to start somewhere fixed, or its first row could be cut. */
export const GENESIS_HASH = 'playerpass-audit-genesis-v1';

/** HMAC-SHA256(audit key, prev hash ‖ "\n" ‖ canonical row) as base64url. */
export function computeHash(secret: Buffer, prevHash: string, row: HashedFields): string {
  return createHmac('sha256', secret).update(prevHash, 'utf8').update('\n').update(canonicalRow(row), 'utf8').digest('base64url');
}
