import type { Kysely } from 'kysely';
import type { Keyring } from '../crypto/keyring.ts';
import type { Tables } from './tables.ts';

export class KeyringMismatchError extends Error {
  override name = 'KeyringMismatchError';
}

/**
 * Fails closed when the database was written with another keyring (a lost or swapped key file):
 * starting anyway would create members nobody can read next to members nobody can read now.
 */
export async function checkKeyringMatches(db: Kysely<Tables>, keyring: Keyring): Promise<void> {
  const fingerprint = keyring.fingerprint();
  await db.insertInto('meta').values({ key: 'keyring_fingerprint', value: fingerprint }).onConflict((oc) => oc.column('key').doNothing()).execute();
  const stored = await db.selectFrom('meta').select('value').where('key', '=', 'keyring_fingerprint').executeTakeFirstOrThrow();
  if (stored.value !== fingerprint) {
    throw new KeyringMismatchError(
      'this database was written with a different keyring: restore the key file (or PLAYERPASS_KEYS) it was created with',
    );
  }
}
