import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { Keyring } from './keyring.ts';
import { pooledRandomBytes } from './random-pool.ts';

/**
 * AES-256-GCM for one field of one row. The associated data names the table, column and row, so a
 * ciphertext copied into another row or column fails to decrypt instead of showing up there.
 * Format: `v1.<key version>.<base64url(nonce ‖ ciphertext ‖ tag)>`.
 */
export interface FieldCipher {
  encrypt(plaintext: string, context: FieldContext): string;
  decrypt(ciphertext: string, context: FieldContext): string;
  keyVersionOf(ciphertext: string): number;
}

export interface FieldContext {
  table: string;
  column: string;
  rowId: string;
}

export class DecryptionError extends Error {
  override name = 'DecryptionError';
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

function associatedData(context: FieldContext): Buffer {
  return Buffer.from(`${context.table}\u0000${context.column}\u0000${context.rowId}`, 'utf8');
}

export function createFieldCipher(keyring: Keyring): FieldCipher {
  return {
    encrypt(plaintext, context) {
      const key = keyring.current('field');
      const nonce = pooledRandomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key.key, nonce);
      cipher.setAAD(associatedData(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `v1.${key.version}.${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url')}`;
    },
    decrypt(ciphertext, context) {
      const [format, version, payload] = ciphertext.split('.');
      const key = format === 'v1' && payload ? keyring.get('field', Number(version)) : undefined;
      if (!key || !payload) throw new DecryptionError(`unreadable ciphertext for ${context.table}.${context.column}`);
      const bytes = Buffer.from(payload, 'base64url');
      if (bytes.length < NONCE_BYTES + TAG_BYTES) throw new DecryptionError(`truncated ciphertext for ${context.table}.${context.column}`);
      const decipher = createDecipheriv('aes-256-gcm', key.key, bytes.subarray(0, NONCE_BYTES));
      decipher.setAAD(associatedData(context));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new DecryptionError(`ciphertext for ${context.table}.${context.column} failed authentication`);
      }
    },
    keyVersionOf(ciphertext) {
      return Number(ciphertext.split('.')[1]);
    },
  };
}
