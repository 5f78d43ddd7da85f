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

/**
 * A keyring the running service can swap for a newer copy of the same keyring (key file changed by
 * `playerpass keys …`). `current/get/all` read through one holder, so a reload costs nothing on the
 * hot path; KeyObjects are still made once per version (kept across reloads).
 */
export interface ReloadableKeyring extends Keyring {
  /** Takes the keys of `json`; true when anything changed. Throws KeyringError (and keeps the old keys) for another keyring. */
  reload(json: string, origin: string): boolean;
}

/**
 * The key file. `active` names the version each purpose writes with (absent: the highest), so a new
 * version can be rolled out to every node, decrypt-only, before any node writes with it.
 * `fingerprint` pins the keyring's identity once the key it is derived from has been retired.
 */
export interface KeyringFile {
  format: 'playerpass-keyring-1';
  keys: Record<KeyPurpose, { version: number; secret: string }[]>;
  active?: Partial<Record<KeyPurpose, number>>;
  fingerprint?: string;
}

interface KeySet {
  lists: Map<KeyPurpose, VersionedKey[]>;
  active: Map<KeyPurpose, VersionedKey>;
  fingerprint: string;
}

export class KeyringError extends Error {
  override name = 'KeyringError';
}

export function keyringFromJson(json: string, origin: string): ReloadableKeyring {
  let set = parseKeyring(json, origin, undefined);
  return {
    current: (purpose) => set.active.get(purpose)!,
    get: (purpose, version) => set.lists.get(purpose)!.find((key) => key.version === version),
    all: (purpose) => set.lists.get(purpose)!,
    fingerprint: () => set.fingerprint,
    reload(next, nextOrigin) {
      const parsed = parseKeyring(next, nextOrigin, set);
      if (parsed.fingerprint !== set.fingerprint) throw new KeyringError(`${nextOrigin} is another keyring (fingerprint changed): not reloaded`);
      const same = keyPurposes.every(
        (purpose) =>
          parsed.active.get(purpose) === set.active.get(purpose) &&
          parsed.lists.get(purpose)!.length === set.lists.get(purpose)!.length &&
          parsed.lists.get(purpose)!.every((key, i) => key === set.lists.get(purpose)![i]),
      );
      set = parsed;
      return !same;
    },
  };
}

/** Parses and checks a keyring; versions whose secret `previous` already holds keep their KeyObject. */
function parseKeyring(json: string, origin: string, previous: KeySet | undefined): KeySet {
  let parsed: KeyringFile;
  try {
    parsed = JSON.parse(json) as KeyringFile;
  } catch {
    throw new KeyringError(`${origin} is not valid JSON`);
  }
  if (parsed?.format !== 'playerpass-keyring-1' || typeof parsed.keys !== 'object') {
    throw new KeyringError(`${origin} is not a playerpass keyring (format playerpass-keyring-1)`);
  }
  const lists = new Map<KeyPurpose, VersionedKey[]>();
  const active = new Map<KeyPurpose, VersionedKey>();
  for (const purpose of keyPurposes) {
    const entries = parsed.keys[purpose];
    if (!Array.isArray(entries) || entries.length === 0) throw new KeyringError(`${origin} has no ${purpose} key`);
    const keys = entries.map((entry) => {
      const secret = Buffer.from(String(entry.secret), 'base64');
      if (!Number.isSafeInteger(entry.version) || entry.version < 1 || secret.length !== 32) {
        throw new KeyringError(`${origin} has a malformed ${purpose} key (each needs a version ≥ 1 and 32 bytes of base64)`);
      }
      const known = previous?.lists.get(purpose)!.find((key) => key.version === entry.version);
      if (known && !known.secret.equals(secret)) throw new KeyringError(`${origin} changes the secret of ${purpose} key version ${entry.version}`);
      return known ?? { version: entry.version, secret, key: createSecretKey(secret) };
    });
    keys.sort((a, b) => a.version - b.version);
    if (new Set(keys.map((key) => key.version)).size !== keys.length) throw new KeyringError(`${origin} has two ${purpose} keys of one version`);
    const wanted = parsed.active?.[purpose];
    const chosen = wanted === undefined ? keys.at(-1)! : keys.find((key) => key.version === wanted);
    if (!chosen) throw new KeyringError(`${origin} makes ${purpose} key version ${wanted} active, but has no such key`);
    lists.set(purpose, keys);
    active.set(purpose, chosen);
  }
  const fingerprint =
    typeof parsed.fingerprint === 'string' && parsed.fingerprint !== ''
      ? parsed.fingerprint
      : createHmac('sha256', lists.get('index')![0]!.secret).update('playerpass keyring fingerprint').digest('base64url').slice(0, 22);
  return { lists, active, fingerprint };
}

export function newKeyringJson(): string {
  const keys = Object.fromEntries(keyPurposes.map((purpose) => [purpose, [{ version: 1, secret: randomBytes(32).toString('base64') }]])) as KeyringFile['keys'];
  return JSON.stringify({ format: 'playerpass-keyring-1', keys } satisfies KeyringFile, null, 2);
}

/**
 * Loads the keyring from `PLAYERPASS_KEYS` when given, else from the key file, creating that file
 * (mode 0600) on first run. `created` tells the caller to say where it is.
 */
export function loadKeyring(options: { keysJson: string | undefined; keyFile: string }): { keyring: ReloadableKeyring; created: string | undefined } {
  if (options.keysJson) return { keyring: keyringFromJson(options.keysJson, 'PLAYERPASS_KEYS'), created: undefined };
  const path = resolve(options.keyFile);
  if (existsSync(path)) return { keyring: keyringFromJson(readFileSync(path, 'utf8'), path), created: undefined };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, newKeyringJson(), { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return { keyring: keyringFromJson(readFileSync(path, 'utf8'), path), created: path };
}
