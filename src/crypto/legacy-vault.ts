import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { Keyring } from './keyring.ts';
import type { LegacyScheme } from './legacy-hashes.ts';
import { pooledRandomBytes } from './random-pool.ts';

/**
 * Holds an imported legacy digest until the wrap job replaces it with argon2id: AES-256-GCM under the
 * keyring's 'legacy' key (never the field key, so the field key alone does not reveal weak hashes,
 * and the legacy key can be destroyed once every row is wrapped). The associated data binds the
 * ciphertext to the member and the scheme: a thief with write access who copies their own pending
 * secret into someone else's row, or relabels an md5 digest as sha1, gets a failed decryption.
 * Format as the field cipher's: `v1.<key version>.<base64url(nonce ‖ ciphertext ‖ tag)>`.
 */
export interface LegacyVault {
  seal(digest: string, memberId: string, scheme: LegacyScheme): { secret: string; keyVersion: number };
  /** The digest, or undefined when the ciphertext is unreadable (wrong row, key or tampering). */
  open(secret: string, memberId: string, scheme: LegacyScheme): string | undefined;
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

const associatedData = (memberId: string, scheme: LegacyScheme) => Buffer.from(`credentials\u0000legacy\u0000${memberId}\u0000${scheme}`, 'utf8');

export function createLegacyVault(keyring: Keyring): LegacyVault {
  return {
    seal(digest, memberId, scheme) {
      const key = keyring.current('legacy');
      const nonce = pooledRandomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key.key, nonce);
      cipher.setAAD(associatedData(memberId, scheme));
      const body = Buffer.concat([cipher.update(digest, 'utf8'), cipher.final()]);
      return { secret: `v1.${key.version}.${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url')}`, keyVersion: key.version };
    },
    open(secret, memberId, scheme) {
      const [format, version, payload] = secret.split('.');
      const key = format === 'v1' && payload ? keyring.get('legacy', Number(version)) : undefined;
      if (!key || !payload) return undefined;
      const bytes = Buffer.from(payload, 'base64url');
      if (bytes.length < NONCE_BYTES + TAG_BYTES) return undefined;
      const decipher = createDecipheriv('aes-256-gcm', key.key, bytes.subarray(0, NONCE_BYTES));
      decipher.setAAD(associatedData(memberId, scheme));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        return undefined;
      }
    },
  };
}
