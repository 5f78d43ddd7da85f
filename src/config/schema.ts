/**
 * Every setting playerpass reads, in one place: its environment variable, its default and how it is
 * parsed. `load.ts` turns the environment (and an optional JSON file) into a frozen Config.
 */
export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  keys: string | undefined;
  keyFile: string;
  trustProxy: boolean;
  logLevel: string;
  argon2: { memoryKiB: number; iterations: number; parallelism: number };
  hashConcurrency: number;
  hashQueueMax: number;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  verifyTokenHours: number;
  resetTokenMinutes: number;
  emailChangeTokenHours: number;
  pgPoolSize: number;
  /** Mail worker polling interval; the worker is also woken as soon as a mail is queued. */
  mailPollMs: number;
  /** Shortest password accepted (NIST SP 800-63B: at least 8; 15 is advised when there is no second factor). */
  passwordMinLength: number;
  /** k-anonymity range endpoint of a breached-password service (HIBP format); undefined = off. */
  breachedPasswordsUrl: string | undefined;
  breachedPasswordsTimeoutMs: number;
  /** Bearer token of the admin API (/api/v1/admin/…); undefined = the admin API answers 404. */
  adminToken: string | undefined;
  /** Allows http:// webhook URLs (a local test receiver); off, only https:// is accepted. */
  webhooksAllowHttp: boolean;
}

type Parser<T> = (raw: string, name: string) => T;

export interface Setting<T> {
  env: string;
  describe: string;
  default: (partial: Record<string, unknown>) => T;
  parse: Parser<T>;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const int = (min: number, max: number): Parser<number> => (raw, name) => {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
};
const text: Parser<string> = (raw) => raw;
const optionalText: Parser<string | undefined> = (raw) => (raw === '' ? undefined : raw);
const bool: Parser<boolean> = (raw, name) => {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
};
const url = (protocols: string[]): Parser<string | undefined> => (raw, name) => {
  if (raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
};
const secret = (minLength: number): Parser<string | undefined> => (raw, name) => {
  if (raw === '') return undefined;
  if (raw.length < minLength) throw new ConfigError(`${name} must be at least ${minLength} characters (e.g. openssl rand -base64 32)`);
  return raw;
};
const publicUrl: Parser<string> = (raw, name) => {
  const value = url(['http:', 'https:'])(raw, name);
  if (!value) throw new ConfigError(`${name} must not be empty`);
  return value.replace(/\/+$/, '');
};

export const settings = {
  port: { env: 'PLAYERPASS_PORT', describe: 'HTTP port', default: () => 3000, parse: int(0, 65535) },
  host: { env: 'PLAYERPASS_HOST', describe: 'address to listen on', default: () => '127.0.0.1', parse: text },
  publicUrl: {
    env: 'PLAYERPASS_PUBLIC_URL',
    describe: 'the URL members see, used in mailed links; https:// turns on Secure __Host- cookies and HSTS',
    default: (p) => `http://localhost:${p.port as number}`,
    parse: publicUrl,
  },
  dataDir: { env: 'PLAYERPASS_DATA_DIR', describe: 'where SQLite, the key file and file mail live', default: () => './data', parse: text },
  databaseUrl: {
    env: 'PLAYERPASS_DATABASE_URL',
    describe: 'postgres://… to use PostgreSQL',
    default: () => undefined,
    parse: url(['postgres:', 'postgresql:']),
  },
  redisUrl: { env: 'PLAYERPASS_REDIS_URL', describe: 'redis://… for shared limits, caches and switches', default: () => undefined, parse: url(['redis:', 'rediss:']) },
  smtpUrl: { env: 'PLAYERPASS_SMTP_URL', describe: 'smtp://host:port or smtps://… for mail', default: () => undefined, parse: url(['smtp:', 'smtps:']) },
  mailFrom: { env: 'PLAYERPASS_MAIL_FROM', describe: 'sender address', default: () => 'playerpass@localhost', parse: text },
  keys: { env: 'PLAYERPASS_KEYS', describe: 'keyring as JSON (instead of the key file)', default: () => undefined, parse: optionalText },
  keyFile: {
    env: 'PLAYERPASS_KEY_FILE',
    describe: 'key file path, created on first run (mode 0600)',
    default: (p) => `${p.dataDir as string}/keys/playerpass-keys.json`,
    parse: text,
  },
  trustProxy: { env: 'PLAYERPASS_TRUST_PROXY', describe: 'trust X-Forwarded-* from the proxy in front', default: () => false, parse: bool },
  logLevel: { env: 'PLAYERPASS_LOG_LEVEL', describe: 'pino log level', default: () => 'info', parse: text },
  argon2MemoryKiB: { env: 'PLAYERPASS_ARGON2_MEMORY_KIB', describe: 'argon2id memory cost', default: () => 19456, parse: int(64, 4194304) },
  argon2Iterations: { env: 'PLAYERPASS_ARGON2_ITERATIONS', describe: 'argon2id time cost', default: () => 2, parse: int(1, 100) },
  argon2Parallelism: { env: 'PLAYERPASS_ARGON2_PARALLELISM', describe: 'argon2id lanes', default: () => 1, parse: int(1, 16) },
  hashConcurrency: {
    env: 'PLAYERPASS_HASH_CONCURRENCY',
    describe: 'argon2 hashes run at once (keep below the libuv pool size of 4)',
    default: () => 2,
    parse: int(1, 64),
  },
  hashQueueMax: { env: 'PLAYERPASS_HASH_QUEUE_MAX', describe: 'hashes allowed to wait before answering 503 overloaded', default: () => 64, parse: int(0, 100000) },
  sessionIdleMinutes: { env: 'PLAYERPASS_SESSION_IDLE_MINUTES', describe: 'a session unused this long ends', default: () => 60, parse: int(1, 525600) },
  sessionMaxHours: { env: 'PLAYERPASS_SESSION_MAX_HOURS', describe: 'a session ends this long after sign-in, used or not', default: () => 24 * 7, parse: int(1, 8760) },
  verifyTokenHours: { env: 'PLAYERPASS_VERIFY_TOKEN_HOURS', describe: 'lifetime of an email verification link', default: () => 24, parse: int(1, 720) },
  resetTokenMinutes: { env: 'PLAYERPASS_RESET_TOKEN_MINUTES', describe: 'lifetime of a password reset link', default: () => 30, parse: int(5, 1440) },
  emailChangeTokenHours: { env: 'PLAYERPASS_EMAIL_CHANGE_TOKEN_HOURS', describe: 'lifetime of an email change link', default: () => 24, parse: int(1, 720) },
  pgPoolSize: { env: 'PLAYERPASS_PG_POOL_SIZE', describe: 'PostgreSQL connections per process', default: () => 10, parse: int(1, 500) },
  mailPollMs: { env: 'PLAYERPASS_MAIL_POLL_MS', describe: 'how often the mail worker looks for due mail', default: () => 2000, parse: int(50, 600000) },
  passwordMinLength: { env: 'PLAYERPASS_PASSWORD_MIN_LENGTH', describe: 'shortest password accepted, in characters', default: () => 8, parse: int(8, 64) },
  breachedPasswordsUrl: {
    env: 'PLAYERPASS_BREACHED_PASSWORDS_URL',
    describe: 'Pwned Passwords range API base, e.g. https://api.pwnedpasswords.com/range/ (the 5-character SHA-1 prefix is appended); off when unset',
    default: () => undefined,
    parse: url(['https:', 'http:']),
  },
  breachedPasswordsTimeoutMs: {
    env: 'PLAYERPASS_BREACHED_PASSWORDS_TIMEOUT_MS',
    describe: 'how long to wait for the breached-password service before accepting without it',
    default: () => 1500,
    parse: int(50, 60000),
  },
  webhooksAllowHttp: {
    env: 'PLAYERPASS_WEBHOOKS_ALLOW_HTTP',
    describe: 'accept http:// webhook URLs (for a local test receiver only); otherwise https:// is required',
    default: () => false,
    parse: bool,
  },
  adminToken: {
    env: 'PLAYERPASS_ADMIN_TOKEN',
    describe: 'bearer token of the admin API (at least 32 characters); the admin API answers 404 when unset',
    default: () => undefined,
    parse: secret(32),
  },
} satisfies Record<string, Setting<unknown>>;
