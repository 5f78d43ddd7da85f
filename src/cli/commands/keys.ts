import { loadConfig } from '../../config/load.ts';
import { createFieldCipher } from '../../crypto/field-cipher.ts';
import { loadKeyring } from '../../crypto/keyring.ts';
import { ACTIVATE_AFTER_MS, createSigningKeys, type SigningKeyInfo } from '../../oidc/keys.ts';
import { openDatabase } from '../../store/database.ts';
import { checkKeyringMatches } from '../../store/keyring-check.ts';
import { migrateToLatest } from '../../store/migrate.ts';

const usage = `usage: playerpass keys <rotate|list> oidc
  rotate oidc   add a new ES256 and RS256 token signing key. Running nodes publish it within minutes
                and sign with it ${ACTIVATE_AFTER_MS / 60_000} minutes after the rotation; the key it replaces stays
                published, older ones are retired. Rotate at most once a day.
  list oidc     the signing keys, newest first`;

/** `playerpass keys …` (OpenID Connect signing keys): 0 when done, 2 on bad usage. */
export async function keys(args: string[], print: (line: string) => void): Promise<number> {
  const [verb = '', purpose = '', ...rest] = args;
  if (!['rotate', 'list'].includes(verb) || purpose !== 'oidc' || rest.length > 0) {
    print(`playerpass keys: expected "rotate oidc" or "list oidc"\n\n${usage}`);
    return 2;
  }
  const config = loadConfig();
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    await migrateToLatest(database.db);
    const { keyring } = loadKeyring({ keysJson: config.keys, keyFile: config.keyFile });
    await checkKeyringMatches(database.db, keyring);
    const signingKeys = createSigningKeys(database.db, createFieldCipher(keyring));
    if (verb === 'rotate') {
      await signingKeys.load();
      for (const key of await signingKeys.rotate()) print(`added ${describe(key)}`);
      return 0;
    }
    for (const key of await signingKeys.list()) print(describe(key));
    return 0;
  } finally {
    await database.close();
  }
}

function describe(key: SigningKeyInfo): string {
  const state = key.retiredAt === null ? 'published' : `retired ${new Date(key.retiredAt).toISOString()}`;
  return `${key.kid}  ${key.alg}  created ${new Date(key.createdAt).toISOString()}  ${state}`;
}
