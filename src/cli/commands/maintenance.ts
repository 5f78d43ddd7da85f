import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadConfig } from '../../config/load.ts';
import { loadKeyring } from '../../crypto/keyring.ts';
import { systemClock } from '../../domain/clock.ts';
import { createLogger } from '../../logger.ts';
import { createAuditTrail } from '../../ops/audit/trail.ts';
import { CAPABILITY_NAMES, createCapabilities, type CapabilityName, type CapabilityState } from '../../ops/maintenance/capabilities.ts';
import { changeCapability } from '../../ops/maintenance/change.ts';
import { CAPABILITY_MESSAGE_MAX, createSwitchStore, isCapabilityName, isCapabilityState } from '../../ops/maintenance/switches.ts';
import { openDatabase } from '../../store/database.ts';
import { checkKeyringMatches } from '../../store/keyring-check.ts';
import { migrateToLatest } from '../../store/migrate.ts';
import { connectRedis } from '../../store/redis.ts';

const usage = `usage: playerpass maintenance <status|set> [options]
  status                                            every capability: on, off or read_only, with its message
  set <capability> <on|off|read_only> [--message M] switch one; every node follows within a second
                                                    (at once through Redis when PLAYERPASS_REDIS_URL is set)

capabilities: ${CAPABILITY_NAMES.join(', ')}
off refuses the capability (pages show M, the API answers 503 capability_offline with M);
read_only still lets members read their profile (profile_changes) and is off for the others.
sign_in off stops new sign-ins only: existing sessions keep working.`;

class MaintenanceUsageError extends Error {
  override name = 'MaintenanceUsageError';
}

/** `playerpass maintenance …`: 0 when done, 2 on bad usage. */
export async function maintenance(args: string[], print: (line: string) => void): Promise<number> {
  const [verb = '', ...rest] = args;
  let change: { name: CapabilityName; state: CapabilityState; message: string | undefined } | undefined;
  try {
    if (verb !== 'status' && verb !== 'set') throw new MaintenanceUsageError(`unknown maintenance command "${verb}"`);
    const { values, positionals } = parseArgs({ args: rest, options: { message: { type: 'string' } }, strict: true, allowPositionals: true });
    if (verb === 'status') {
      if (positionals.length > 0 || values.message !== undefined) throw new MaintenanceUsageError('status takes no arguments');
    } else {
      const [name = '', state = '', ...extra] = positionals;
      if (!isCapabilityName(name)) throw new MaintenanceUsageError(`unknown capability "${name}"`);
      if (!isCapabilityState(state)) throw new MaintenanceUsageError(`the state must be on, off or read_only, not "${state}"`);
      if (extra.length > 0) throw new MaintenanceUsageError(`unexpected "${extra.join(' ')}" (quote the --message text)`);
      if ((values.message?.trim().length ?? 0) > CAPABILITY_MESSAGE_MAX) throw new MaintenanceUsageError(`--message is longer than ${CAPABILITY_MESSAGE_MAX} characters`);
      change = { name, state, message: values.message };
    }
  } catch (error) {
    print(`playerpass maintenance: ${(error as Error).message}\n\n${usage}`);
    return 2;
  }

  const config = loadConfig();
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  // Logs go to stderr, so stdout holds only the answer.
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, pino.destination(2));
  let redis: Awaited<ReturnType<typeof connectRedis>> | undefined;
  try {
    await migrateToLatest(database.db);
    if (change) {
      const { keyring } = loadKeyring({ keysJson: config.keys, keyFile: config.keyFile });
      await checkKeyringMatches(database.db, keyring);
      redis = config.redisUrl ? await connectRedis(config.redisUrl, logger) : undefined;
      const capabilities = createCapabilities({ db: database.db, redis, clock: systemClock, logger });
      const audit = createAuditTrail(database.db, keyring, systemClock, logger);
      await changeCapability({ capabilities, audit }, { ...change, actor: 'cli' });
      const message = capabilities.message(change.name);
      print(`${change.name} is now ${change.state}${message ? ` — "${message}"` : ''}`);
      print(redis ? 'every node was told through Redis' : 'every node reads it from the database within a second');
      return 0;
    }
    const records = new Map((await createSwitchStore(database.db).list()).map((record) => [record.name, record]));
    for (const name of CAPABILITY_NAMES) {
      const record = records.get(name);
      const state = record?.state ?? 'on';
      const since = record ? `  (since ${new Date(record.updatedAt).toISOString()}${record.updatedBy ? ` by ${record.updatedBy}` : ''})` : '';
      const message = state !== 'on' && record?.message ? `  "${record.message}"` : '';
      print(`${name.padEnd(16)}${state.padEnd(10)}${message}${since}`.trimEnd());
    }
    return 0;
  } finally {
    redis?.disconnect();
    await database.close();
  }
}
