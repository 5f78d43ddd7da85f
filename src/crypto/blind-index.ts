import { createHmac, type KeyObject } from 'node:crypto';
import type { Keyring } from './keyring.ts';

/**
 * Keyed blind index: HMAC-SHA256 of an already normalised value, so equality lookups and unique
 * constraints work without the value (or an unkeyed, dictionary-attackable hash of it) in the store.
 * Stored as `<key version>.<base64url>`; `candidates` gives one per key version so lookups keep
 * working while a rotation recomputes the column.
 */
export type IndexPurpose = 'email' | 'display_name' | 'member_kind';

export interface BlindIndex {
  compute(purpose: IndexPurpose, normalised: string): string;
  candidates(purpose: IndexPurpose, normalised: string): string[];
}

export function createBlindIndex(keyring: Keyring): BlindIndex {
  const digest = (secret: KeyObject, version: number, purpose: IndexPurpose, value: string) =>
    `${version}.${createHmac('sha256', secret).update(`${purpose}\u0000${value}`, 'utf8').digest('base64url')}`;
  return {
    compute(purpose, normalised) {
      const key = keyring.current('index');
      return digest(key.key, key.version, purpose, normalised);
    },
    candidates(purpose, normalised) {
      return keyring.all('index').map((key) => digest(key.key, key.version, purpose, normalised));
    },
  };
}
