import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * What each key is for. Keys of one purpose are never used for another, so rotating one (say the
 * field key after a suspected leak) touches nothing else.
 */
export const keyPurposes = ['field', 'index', 'pepper', 'cookie', 'audit', 'legacy'] as const;
export type KeyPurpose = (typeof keyPurposes)[number];

export interface VersionedKey {
  version: number;
  secret: Buffer;
  /** The same secret as a KeyObject, made once: ciphers and HMACs built from it skip a key import each time. */
  key: KeyObject;
}

export interface Keyring {
  current(purpose: KeyPurpose): VersionedKey;
  get(purpose: KeyPurpose, version: number): VersionedKey | undefined;
  all(purpose: KeyPurpose): readonly VersionedKey[];
  /** Identifies this keyring (not its secrets), so the store can refuse a different one. */
  fingerprint(): string;
}

interface KeyringFile {
  format: 'playerpass-keyring-1';
  keys: Record<KeyPurpose, { version: number; secret: string }[]>;
}

export class KeyringError extends Error {
  override name = 'KeyringError';
}

export function keyringFromJson(json: string, origin: string): Keyring {
  let parsed: KeyringFile;
  try {
    parsed = JSON.parse(json) as KeyringFile;
  } catch {
    throw new KeyringError(`${origin} is not valid JSON`);
  }
  if (parsed?.format !== 'playerpass-keyring-1' || typeof parsed.keys !== 'object') {
    throw new KeyringError(`${origin} is not a playerpass keyring (format playerpass-keyring-1)`);
  }
  const byPurpose = new Map<KeyPurpose, VersionedKey[]>();
  for (const purpose of keyPurposes) {
    const entries = parsed.keys[purpose];
    if (!Array.isArray(entries) || entries.length === 0) throw new KeyringError(`${origin} has no ${purpose} key`);
    const keys = entries.map((entry) => {
      const secret = Buffer.from(String(entry.secret), 'base64');
      if (!Number.isSafeInteger(entry.version) || entry.version < 1 || secret.length !== 32) {
        throw new KeyringError(`${origin} has a malformed ${purpose} key (each needs a version ≥ 1 and 32 bytes of base64)`);
      }
      return { version: entry.version, secret, key: createSecretKey(secret) };
    });
    keys.sort((a, b) => a.version - b.version);
    byPurpose.set(purpose, keys);
  }
  const list = (purpose: KeyPurpose) => byPurpose.get(purpose) as VersionedKey[];
  const fingerprint = createHmac('sha256', list('index')[0]!.secret).update('playerpass keyring fingerprint').digest('base64url').slice(0, 22);
  return {
    current: (purpose) => list(purpose).at(-1)!,
    get: (purpose, version) => list(purpose).find((key) => key.version === version),
    all: (purpose) => list(purpose),
    fingerprint: () => fingerprint,
  };
}

export function newKeyringJson(): string {
  const keys = Object.fromEntries(keyPurposes.map((purpose) => [purpose, [{ version: 1, secret: randomBytes(32).toString('base64') }]])) as KeyringFile['keys'];
  return JSON.stringify({ format: 'playerpass-keyring-1', keys } satisfies KeyringFile, null, 2);
}

/**
 * Loads the keyring from `PLAYERPASS_KEYS` when given, else from the key file, creating that file
 * (mode 0600) on first run. `created` tells the caller to say where it is.
 */
export function loadKeyring(options: { keysJson: string | undefined; keyFile: string }): { keyring: Keyring; created: string | undefined } {
  if (options.keysJson) return { keyring: keyringFromJson(options.keysJson, 'PLAYERPASS_KEYS'), created: undefined };
  const path = resolve(options.keyFile);
  if (existsSync(path)) return { keyring: keyringFromJson(readFileSync(path, 'utf8'), path), created: undefined };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, newKeyringJson(), { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return { keyring: keyringFromJson(readFileSync(path, 'utf8'), path), created: path };
}
