import { loadConfig } from '../../config/load.ts';
import { loadKeyring } from '../../crypto/keyring.ts';
import { openDatabase } from '../../store/database.ts';
import { checkKeyringMatches } from '../../store/keyring-check.ts';
import { migrateToLatest } from '../../store/migrate.ts';

/** `playerpass migrate`: applies pending migrations and exits (serve also does this at start-up). */
export async function migrate(print: (line: string) => void): Promise<void> {
  const config = loadConfig();
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    const applied = await migrateToLatest(database.db);
    const { keyring } = loadKeyring({ keysJson: config.keys, keyFile: config.keyFile });
    await checkKeyringMatches(database.db, keyring);
    print(applied.length > 0 ? `applied ${applied.join(', ')}` : 'database already up to date');
  } finally {
    await database.close();
  }
}
