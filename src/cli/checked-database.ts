import type { Config } from '../config/load.ts';
import { loadKeyring, type ReloadableKeyring } from '../crypto/keyring.ts';
import { openDatabase, type Database } from '../store/database.ts';
import { checkKeyringMatches } from '../store/keyring-check.ts';
import { migrateToLatest } from '../store/migrate.ts';

/**
 * What an operator command works on: the database, migrated, and the keyring, checked to be the
 * one the database was written with (a wrong key file stops here with a clear error, before any
 * write). The database is closed whatever `work` does.
 */
export async function withCheckedDatabase<T>(config: Readonly<Config>, work: (database: Database, keyring: ReloadableKeyring) => Promise<T>): Promise<T> {
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    await migrateToLatest(database.db);
    const { keyring } = loadKeyring({ keysJson: config.keys, keyFile: config.keyFile });
    await checkKeyringMatches(database.db, keyring);
    return await work(database, keyring);
  } finally {
    await database.close();
  }
}
