import { readFileSync } from 'node:fs';
import { ConfigError, settings, type Config, type Setting } from './schema.ts';

export { ConfigError, type Config } from './schema.ts';

/**
 * Builds the one Config from the environment, with `PLAYERPASS_CONFIG` naming an optional JSON file
 * whose keys are the same variable names. The environment wins over the file. Any unknown
 * `PLAYERPASS_*` name fails, so a typo never silently falls back to a default.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const source: Record<string, string> = { ...readConfigFile(env.PLAYERPASS_CONFIG) };
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith('PLAYERPASS_') && value !== undefined) source[name] = value;
  }
  const known = new Set<string>(['PLAYERPASS_CONFIG', ...Object.values(settings).map((s) => s.env)]);
  const unknown = Object.keys(source).filter((name) => !known.has(name));
  if (unknown.length > 0) throw new ConfigError(`unknown setting ${unknown.join(', ')}`);

  const values: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(settings) as [string, Setting<unknown>][]) {
    const raw = source[setting.env];
    values[key] = raw === undefined ? setting.default(values) : setting.parse(raw.trim(), setting.env);
  }
  const config: Config = {
    port: values.port as number,
    host: values.host as string,
    publicUrl: values.publicUrl as string,
    dataDir: values.dataDir as string,
    databaseUrl: values.databaseUrl as string | undefined,
    redisUrl: values.redisUrl as string | undefined,
    smtpUrl: values.smtpUrl as string | undefined,
    mailFrom: values.mailFrom as string,
    keys: values.keys as string | undefined,
    keyFile: values.keyFile as string,
    trustProxy: values.trustProxy as boolean,
    logLevel: values.logLevel as string,
    argon2: {
      memoryKiB: values.argon2MemoryKiB as number,
      iterations: values.argon2Iterations as number,
      parallelism: values.argon2Parallelism as number,
    },
    hashConcurrency: values.hashConcurrency as number,
    hashQueueMax: values.hashQueueMax as number,
    sessionIdleMinutes: values.sessionIdleMinutes as number,
    sessionMaxHours: values.sessionMaxHours as number,
    verifyTokenHours: values.verifyTokenHours as number,
    resetTokenMinutes: values.resetTokenMinutes as number,
    emailChangeTokenHours: values.emailChangeTokenHours as number,
    pgPoolSize: values.pgPoolSize as number,
    mailPollMs: values.mailPollMs as number,
    passwordMinLength: values.passwordMinLength as number,
    breachedPasswordsUrl: values.breachedPasswordsUrl as string | undefined,
    breachedPasswordsTimeoutMs: values.breachedPasswordsTimeoutMs as number,
    adminToken: values.adminToken as string | undefined,
    webhooksAllowHttp: values.webhooksAllowHttp as boolean,
  };
  if (config.argon2.memoryKiB < 8 * config.argon2.parallelism) {
    throw new ConfigError('PLAYERPASS_ARGON2_MEMORY_KIB must be at least 8 × PLAYERPASS_ARGON2_PARALLELISM');
  }
  return Object.freeze({ ...config, argon2: Object.freeze(config.argon2) });
}

function readConfigFile(path: string | undefined): Record<string, string> {
  if (!path) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`PLAYERPASS_CONFIG file ${path} could not be read as JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`PLAYERPASS_CONFIG file ${path} must hold a JSON object`);
  }
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
}
