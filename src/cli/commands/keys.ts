import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, type Config } from '../../config/load.ts';
import { createBlindIndex } from '../../crypto/blind-index.ts';
import { createFieldCipher } from '../../crypto/field-cipher.ts';
import { activateKeyVersion, addKeyVersion, isKeyPurpose, retireKeyVersion, writeKeyFile } from '../../crypto/keyring-file.ts';
import { keyringFromJson, KeyringError, type KeyPurpose } from '../../crypto/keyring.ts';
import { ACTIVATE_AFTER_MS, createSigningKeys, type SigningKeyInfo } from '../../oidc/keys.ts';
import { reencrypt, type ReencryptPurpose } from '../../ops/keys/reencrypt.ts';
import { retireRefusal } from '../../ops/keys/retire.ts';
import { keyUsage, type PurposeUsage } from '../../ops/keys/usage.ts';
import { withCheckedDatabase } from '../checked-database.ts';

const usage = `usage: playerpass keys <command>
  status                        per purpose: the key versions, the active one, and how many rows still use each
  rotate <purpose>              add a new version and write with it at once (one node with a key file);
                                running servers reload the key file within a second and re-encrypt in the background
  add <purpose>                 add a new version, readable everywhere but not yet written with (step 1 of 2 on several nodes)
  activate <purpose> <version>  write with that version (step 2, once every node has it)
  reencrypt [field|index]       bring stored data onto the active field / index key now, to completion
  retire <purpose> <version>    remove an old version; refused while it is active or anything still uses it
  rotate oidc                   add a new ES256 and RS256 token signing key. Running nodes publish it within minutes
                                and sign with it ${ACTIVATE_AFTER_MS / 60_000} minutes after the rotation; the key it replaces stays
                                published, older ones are retired. Rotate at most once a day.
  list oidc                     the OpenID Connect signing keys, newest first
purposes: field (or fields), index, pepper, audit, legacy, cookie.
With PLAYERPASS_KEYS nothing can be written: add, activate, rotate and retire print the new keyring
JSON (on stdout) to roll out as PLAYERPASS_KEYS instead.`;

class UsageError extends Error {}

/** `playerpass keys …`: 0 when done, 1 when refused, 2 on bad usage. */
export async function keys(args: string[], print: (line: string) => void, note: (line: string) => void = (line) => console.error(line)): Promise<number> {
  const [verb = '', target = '', ...rest] = args;
  if ((verb === 'rotate' || verb === 'list') && target === 'oidc' && rest.length === 0) return oidcKeys(verb, print);
  let request: { purpose?: KeyPurpose; version?: number };
  try {
    request = parseRequest(verb, target, rest);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    print(`playerpass keys: ${error.message}\n\n${usage}`);
    return 2;
  }
  const config = loadConfig();
  const { purpose, version } = request;
  switch (verb) {
    case 'add':
      return write(config, print, note, (json) => {
        const added = addKeyVersion(json, purpose!);
        return { json: added.json, done: `added ${purpose} key version ${added.version} (not written with yet): once every node has it, run: playerpass keys activate ${purpose} ${added.version}` };
      });
    case 'activate':
      return write(config, print, note, (json) => ({ json: activateKeyVersion(json, purpose!, version!), done: `${purpose} key version ${version} is now active${afterActivation(purpose!)}` }));
    case 'rotate':
      return write(config, print, note, (json) => {
        const added = addKeyVersion(json, purpose!);
        return { json: activateKeyVersion(added.json, purpose!, added.version), done: `${purpose} key version ${added.version} added and active${afterActivation(purpose!)}` };
      });
    case 'status':
      return withCheckedDatabase(config, async (database, keyring) => {
        for (const line of describeUsage(await keyUsage(database.db, keyring))) print(line);
        const signing = await createSigningKeys(database.db, createFieldCipher(keyring)).list();
        print(`oidc    ${signing.filter((key) => key.retiredAt === null).length} published signing keys (playerpass keys list oidc)`);
        return 0;
      });
    case 'reencrypt':
      return withCheckedDatabase(config, async (database, keyring) => {
        const deps = { db: database.db, keyring, cipher: createFieldCipher(keyring), index: createBlindIndex(keyring) };
        for (const which of purpose ? [purpose as ReencryptPurpose] : (['field', 'index'] as const)) {
          const [before] = await keyUsage(database.db, keyring, [which]);
          const left = before!.versions.filter((v) => !v.active).reduce((sum, v) => sum + (v.uses ?? 0), 0);
          print(`${which}: ${left} values not on active version ${keyring.current(which).version}`);
          let done = 0;
          let lastPrinted = Date.now();
          const totals = await reencrypt(deps, which, {
            pauseMs: 0,
            onBatch(report) {
              done += report.updated;
              if (Date.now() - lastPrinted >= 1_000) {
                lastPrinted = Date.now();
                print(`${which}: ${done}/${left} (${report.target})`);
              }
            },
          });
          print(`${which}: done, ${totals.updated} updated in ${totals.passes} pass(es)${totals.failed > 0 ? `, ${totals.failed} unreadable left as they are` : ''}`);
        }
        return 0;
      });
    case 'retire':
      return withCheckedDatabase(config, async (database, keyring) => {
        const refusal = await retireRefusal(database.db, keyring, purpose!, version!);
        if (refusal) {
          note(`playerpass keys: not retired: ${refusal}`);
          return 1;
        }
        return write(config, print, note, (json) => ({ json: retireKeyVersion(json, purpose!, version!), done: `retired ${purpose} key version ${version}` }));
      });
    default:
      throw new Error(`unreachable: ${verb}`);
  }
}

function parseRequest(verb: string, target: string, rest: string[]): { purpose?: KeyPurpose; version?: number } {
  const purposeOf = (text: string): KeyPurpose => {
    const name = text === 'fields' ? 'field' : text;
    if (!isKeyPurpose(name)) throw new UsageError(`unknown key purpose "${text}"`);
    return name;
  };
  const versionOf = (text: string | undefined): number => {
    const n = Number(text);
    if (!text || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`expected a key version (a whole number ≥ 1), not "${text ?? ''}"`);
    return n;
  };
  switch (verb) {
    case 'status':
      if (target || rest.length > 0) throw new UsageError('status takes no arguments');
      return {};
    case 'add':
    case 'rotate':
      if (!target || rest.length > 0) throw new UsageError(`${verb} takes one purpose`);
      return { purpose: purposeOf(target) };
    case 'activate':
    case 'retire':
      if (!target || rest.length !== 1) throw new UsageError(`${verb} takes a purpose and a version`);
      return { purpose: purposeOf(target), version: versionOf(rest[0]) };
    case 'reencrypt': {
      if (rest.length > 0) throw new UsageError('reencrypt takes at most one purpose');
      if (!target) return {};
      const purpose = purposeOf(target);
      if (purpose !== 'field' && purpose !== 'index') throw new UsageError('only field and index data is re-encrypted (pepper: at the next sign-in)');
      return { purpose };
    }
    case 'list':
      throw new UsageError('expected "list oidc"');
    default:
      throw new UsageError(`unknown keys command "${verb}"`);
  }
}

function afterActivation(purpose: KeyPurpose): string {
  switch (purpose) {
    case 'field':
    case 'index':
      return ': running servers re-encrypt in the background (progress: playerpass keys status)';
    case 'pepper':
      return ': each password is re-peppered at its next sign-in (playerpass keys status counts those left)';
    case 'cookie':
      return ': takes effect when the servers restart';
    default:
      return '';
  }
}

/**
 * Applies `change` to the keyring: to the key file, atomically (running servers reload it), or, with
 * PLAYERPASS_KEYS, by printing the new JSON for the operator to roll out.
 */
function write(config: Config, print: (line: string) => void, note: (line: string) => void, change: (json: string) => { json: string; done: string }): number {
  if (config.keys) {
    const next = change(config.keys);
    print(next.json);
    note(`${next.done}.`);
    note('PLAYERPASS_KEYS cannot be changed from here: roll the JSON above out as PLAYERPASS_KEYS to every node and restart them (nodes read PLAYERPASS_KEYS at start only).');
    return 0;
  }
  const path = resolve(config.keyFile);
  if (!existsSync(path)) throw new KeyringError(`there is no key file at ${path} (PLAYERPASS_KEY_FILE)`);
  const next = change(readFileSync(path, 'utf8'));
  keyringFromJson(next.json, path);
  writeKeyFile(path, next.json);
  print(`${next.done}.`);
  return 0;
}

export function describeUsage(usages: PurposeUsage[]): string[] {
  const lines: string[] = [];
  for (const usage of usages) {
    const active = usage.versions.find((v) => v.active)!.version;
    lines.push(`${usage.purpose.padEnd(7)} active v${active}; known ${usage.versions.map((v) => `v${v.version}`).join(', ')}`);
    for (const v of usage.versions) {
      if (v.uses === undefined) {
        lines.push(`  v${v.version}${v.active ? ' (active)' : ''}: use not tracked${usage.purpose === 'cookie' ? ' (signs CSRF tokens and OIDC cookies; a new active version takes effect on restart)' : ''}`);
        continue;
      }
      const where = Object.entries(v.where).map(([name, n]) => `${name} ${n}`).join(', ');
      const state = v.active ? ' (active)' : v.version > active ? ' (added, not active yet)' : '';
      const retirable = !v.active && v.uses === 0 ? ' — can be retired' : '';
      lines.push(`  v${v.version}${state}: ${v.uses} rows${where ? ` (${where})` : ''}${retirable}`);
    }
    if (usage.unknown > 0) lines.push(`  ${usage.unknown} rows on a version this keyring does not have (unreadable)`);
  }
  return lines;
}

async function oidcKeys(verb: 'rotate' | 'list', print: (line: string) => void): Promise<number> {
  const config = loadConfig();
  return withCheckedDatabase(config, async (database, keyring) => {
    const signingKeys = createSigningKeys(database.db, createFieldCipher(keyring));
    if (verb === 'rotate') {
      await signingKeys.load();
      for (const key of await signingKeys.rotate()) print(`added ${describe(key)}`);
      return 0;
    }
    for (const key of await signingKeys.list()) print(describe(key));
    return 0;
  });
}

function describe(key: SigningKeyInfo): string {
  const state = key.retiredAt === null ? 'published' : `retired ${new Date(key.retiredAt).toISOString()}`;
  return `${key.kid}  ${key.alg}  created ${new Date(key.createdAt).toISOString()}  ${state}`;
}
