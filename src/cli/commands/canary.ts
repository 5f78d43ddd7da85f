import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load.ts';
import { createBlindIndex } from '../../crypto/blind-index.ts';
import { createFieldCipher } from '../../crypto/field-cipher.ts';
import { createPasswordHasher } from '../../crypto/password-hasher.ts';
import { createWorkQueue } from '../../crypto/work-queue.ts';
import { addCanary, CanaryError, listCanaries } from '../../ops/canaries/add.ts';
import { createStore } from '../../store/store.ts';
import { withCheckedDatabase } from '../checked-database.ts';

const usage = `usage: playerpass canary <add|list> [options]
  add --domain D [--count N]   create N (1–100, default 1) canary members with addresses at D, a
                               domain whose mail you receive; each address is printed once
  list                         canary ids and masked addresses

Any sign-in or password reset naming a canary's address raises the canary_used alarm.`;

const options = { domain: { type: 'string' }, count: { type: 'string' } } as const;

/** `playerpass canary …`: 0 when done, 2 on bad usage. */
export async function canary(args: string[], print: (line: string) => void): Promise<number> {
  const [verb = '', ...rest] = args;
  let request: { domain: string; count: number };
  try {
    if (verb !== 'add' && verb !== 'list') throw new CanaryError(`unknown canary command "${verb}"`);
    const { values } = parseArgs({ args: rest, options, strict: true, allowPositionals: false });
    if (verb === 'add' && !values.domain) throw new CanaryError('add needs --domain');
    const count = values.count === undefined ? 1 : Number(values.count);
    if (!Number.isSafeInteger(count) || count < 1 || count > 100) throw new CanaryError(`--count must be a whole number from 1 to 100, not "${values.count}"`);
    request = { domain: values.domain ?? '', count };
  } catch (error) {
    print(`playerpass canary: ${(error as Error).message}\n\n${usage}`);
    return 2;
  }

  const config = loadConfig();
  try {
    return await withCheckedDatabase(config, async (database, keyring) => {
      const store = createStore(database.db, createFieldCipher(keyring), createBlindIndex(keyring));
      if (verb === 'list') {
        const canaries = await listCanaries(database.db, store);
        for (const entry of canaries) print(`${entry.id}  ${entry.maskedEmail}  ${entry.status}`);
        if (canaries.length === 0) print('no canaries');
        return 0;
      }
      const hasher = await createPasswordHasher(config.argon2, keyring, createWorkQueue(1, request.count));
      for (let i = 0; i < request.count; i++) {
        const added = await addCanary(store, hasher, { domain: request.domain });
        print(`${added.id}  ${added.email}`);
      }
      print('These addresses are shown once (they are stored encrypted). Keep them out of any system that holds member data.');
      return 0;
    });
  } catch (error) {
    if (!(error instanceof CanaryError)) throw error;
    print(`playerpass canary: ${error.message}`);
    return 2;
  }
}
