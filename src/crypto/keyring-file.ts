import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, unwatchFile, watchFile, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { keyPurposes, keyringFromJson, KeyringError, type KeyPurpose, type KeyringFile, type ReloadableKeyring } from './keyring.ts';

/**
 * Changes to a keyring, as pure JSON → JSON steps (so `PLAYERPASS_KEYS` setups can print the result
 * for the operator to roll out), and the atomic write of a key file.
 *
 * Rolling out a new key to several nodes takes two steps, because every node must be able to read a
 * version before any node writes with it: `addKeyVersion` (the new version is known, decrypt-only),
 * then, once every node has it, `activateKeyVersion`. `rotate` is both at once, for one node.
 */

export function isKeyPurpose(value: string): value is KeyPurpose {
  return (keyPurposes as readonly string[]).includes(value);
}

function parse(json: string): KeyringFile {
  // keyringFromJson checks everything (format, sizes, active versions) and throws a clear KeyringError.
  keyringFromJson(json, 'the keyring');
  return JSON.parse(json) as KeyringFile;
}

function serialise(file: KeyringFile): string {
  const json = JSON.stringify(file, null, 2);
  keyringFromJson(json, 'the changed keyring');
  return json;
}

/** The version `purpose` writes with: the file's `active` entry, else the highest. */
export function activeVersion(file: KeyringFile, purpose: KeyPurpose): number {
  return file.active?.[purpose] ?? Math.max(...file.keys[purpose].map((key) => key.version));
}

/** Adds a new (highest) version of `purpose`, known but not yet written with: the active version stays as it was. */
export function addKeyVersion(json: string, purpose: KeyPurpose): { json: string; version: number } {
  const file = parse(json);
  const version = Math.max(...file.keys[purpose].map((key) => key.version)) + 1;
  const active = { ...file.active, [purpose]: activeVersion(file, purpose) };
  const keys = { ...file.keys, [purpose]: [...file.keys[purpose], { version, secret: randomBytes(32).toString('base64') }] };
  return { json: serialise({ ...file, keys, active }), version };
}

/** Makes `version` the one `purpose` writes with (it must be known already). */
export function activateKeyVersion(json: string, purpose: KeyPurpose, version: number): string {
  const file = parse(json);
  if (!file.keys[purpose].some((key) => key.version === version)) throw new KeyringError(`there is no ${purpose} key version ${version}`);
  return serialise({ ...file, active: { ...file.active, [purpose]: version } });
}

/**
 * Removes `version` of `purpose`. Refuses the active version; whether anything still uses it is the
 * caller's question (src/ops/keys/usage.ts). The keyring's fingerprint is pinned first, so removing
 * the key it was derived from does not make the database refuse the keyring.
 */
export function retireKeyVersion(json: string, purpose: KeyPurpose, version: number): string {
  const file = parse(json);
  if (!file.keys[purpose].some((key) => key.version === version)) throw new KeyringError(`there is no ${purpose} key version ${version}`);
  if (activeVersion(file, purpose) === version) throw new KeyringError(`${purpose} key version ${version} is the active one: activate another version first`);
  const fingerprint = keyringFromJson(json, 'the keyring').fingerprint();
  const keys = { ...file.keys, [purpose]: file.keys[purpose].filter((key) => key.version !== version) };
  return serialise({ ...file, fingerprint, keys });
}

/** Replaces the file atomically: a temporary file (mode 0600) in the same directory, fsynced, renamed over it. */
export function writeKeyFile(path: string, json: string): void {
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, json);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  // The directory entry too, so a crash right after cannot bring the old file back.
  try {
    const dir = openSync(dirname(target), 'r');
    fsyncSync(dir);
    closeSync(dir);
  } catch {
    // Not every platform can fsync a directory; the rename itself is still atomic.
  }
}

/** Reads the key file, applies `change`, writes the result atomically; returns the new JSON. */
export function updateKeyFile(path: string, change: (json: string) => string): string {
  const next = change(readFileSync(path, 'utf8'));
  writeKeyFile(path, next);
  return next;
}

/**
 * Keeps a running service's keyring in step with its key file: a stat poll (unref'd) every
 * `intervalMs`; a changed file is reloaded, a broken or foreign one reported and ignored.
 */
export function watchKeyFile(
  path: string,
  keyring: ReloadableKeyring,
  events: { changed(): void; failed(error: Error): void },
  intervalMs = 1_000,
): { reload(): boolean; stop(): void } {
  const target = resolve(path);
  const reload = (): boolean => {
    let json: string;
    try {
      json = readFileSync(target, 'utf8');
    } catch (error) {
      events.failed(error as Error);
      return false;
    }
    try {
      const changed = keyring.reload(json, target);
      if (changed) events.changed();
      return changed;
    } catch (error) {
      events.failed(error as Error);
      return false;
    }
  };
  const listener = (current: { mtimeMs: number; ino: number; size: number }, before: { mtimeMs: number; ino: number; size: number }) => {
    if (current.mtimeMs !== before.mtimeMs || current.ino !== before.ino || current.size !== before.size) reload();
  };
  statSync(target);
  watchFile(target, { interval: intervalMs, persistent: false }, listener);
  return {
    reload,
    stop: () => unwatchFile(target, listener),
  };
}
