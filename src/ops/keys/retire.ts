import type { Kysely } from 'kysely';
import type { Keyring, KeyPurpose } from '../../crypto/keyring.ts';
import type { Tables } from '../../store/tables.ts';
import { usesOf } from './usage.ts';

/**
 * Why `version` of `purpose` cannot be retired yet, or undefined when nothing needs it any more.
 * (The key file change itself is `retireKeyVersion` in src/crypto/keyring-file.ts.)
 */
export async function retireRefusal(db: Kysely<Tables>, keyring: Keyring, purpose: KeyPurpose, version: number): Promise<string | undefined> {
  if (!keyring.get(purpose, version)) return `there is no ${purpose} key version ${version}`;
  if (keyring.current(purpose).version === version) return `${purpose} key version ${version} is the active one: activate another version first`;
  const uses = await usesOf(db, keyring, purpose, version);
  if (uses === 0) return undefined;
  const hint =
    purpose === 'field' || purpose === 'index'
      ? ' (let the background re-encryption finish, or run: playerpass keys reencrypt)'
      : purpose === 'pepper'
        ? ' (each is re-peppered at its next sign-in)'
        : purpose === 'audit'
          ? ' (audit rows are never rewritten: their key is kept to verify the chain)'
          : '';
  return `${uses} rows still use ${purpose} key version ${version}${hint}`;
}
