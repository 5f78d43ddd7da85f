import { hash, parseOptions, verify, type Options } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import type { Keyring } from './keyring.ts';
import { isLegacyScheme, isSlowLegacyScheme, legacyDigest, type LegacyScheme } from './legacy-hashes.ts';
import { createLegacyVault } from './legacy-vault.ts';
import { safeEqual } from './random.ts';
import type { WorkQueue } from './work-queue.ts';

/**
 * argon2id with a pepper (argon2's secret input) from the keyring, so a stolen database alone cannot
 * even start a dictionary attack. Hashing runs on libuv's pool behind a bounded queue.
 *
 * Imported legacy passwords (src/ops/import) verify here too, dispatched on `scheme`: the typed
 * password's legacy digest is recomputed, then compared with the argon2id of the digest (`wrapped:`)
 * or with the digest decrypted from the legacy vault (`pending:`). Both report `needsRehash`, so the
 * first successful sign-in stores a plain argon2id of the password instead.
 */
export interface PasswordHasher {
  hash(password: string): Promise<StoredPassword>;
  verify(stored: StoredPassword, password: string): Promise<boolean>;
  /** Spends the same work as a real verify, for unknown accounts, so timing reveals nothing. */
  verifyDummy(password: string): Promise<void>;
  needsRehash(stored: StoredPassword): boolean;
  /** `pending:<legacy>` → `wrapped:<legacy>`: argon2id (with the pepper) of the vaulted legacy digest. */
  wrapLegacy(stored: StoredPassword): Promise<StoredPassword>;
}

export type PasswordScheme = 'argon2id' | `wrapped:${LegacyScheme}` | `pending:${LegacyScheme}`;

export interface StoredPassword {
  /** PHC string `$argon2id$v=19$m=…,t=…,p=…$salt$hash`; for `pending:` the legacy vault's ciphertext. */
  hash: string;
  /** The pepper's key version; for `pending:` the legacy key's. */
  pepperVersion: number;
  /** Absent means `argon2id`: every password playerpass hashed itself. */
  scheme?: PasswordScheme | undefined;
  /** Non-secret legacy digest parameters (see src/crypto/legacy-hashes.ts). */
  salt?: string | null | undefined;
  /** The owner, to which a pending ciphertext is bound. */
  memberId?: string | undefined;
}

export interface Argon2Settings {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

const ARGON2ID = 2 as unknown as NonNullable<Options['algorithm']>;

/** Splits `wrapped:md5` into its parts; undefined for argon2id or anything unknown. */
export function legacyState(scheme: string | undefined): { state: 'wrapped' | 'pending'; legacy: LegacyScheme } | undefined {
  const [state, legacy = ''] = (scheme ?? '').split(':');
  return (state === 'wrapped' || state === 'pending') && isLegacyScheme(legacy) ? { state, legacy } : undefined;
}

export async function createPasswordHasher(settings: Argon2Settings, keyring: Keyring, queue: WorkQueue): Promise<PasswordHasher> {
  const options = (secret: Buffer): Options => ({
    algorithm: ARGON2ID,
    memoryCost: settings.memoryKiB,
    timeCost: settings.iterations,
    parallelism: settings.parallelism,
    secret,
  });
  const current = () => keyring.current('pepper');
  const vault = createLegacyVault(keyring);
  const dummy = await hash(randomBytes(16).toString('base64'), options(current().secret));

  const verifyDummy = async (password: string): Promise<void> => {
    await queue.run(() => verify(dummy, password.normalize('NFC'), { secret: current().secret }));
  };
  // bcrypt and PBKDF2 cost real CPU, so they wait their turn in the same bounded queue as argon2.
  const digestOf = (legacy: LegacyScheme, params: string, password: string) =>
    isSlowLegacyScheme(legacy) ? queue.run(() => legacyDigest(legacy, params, password)) : legacyDigest(legacy, params, password);

  const verifyLegacy = async (stored: StoredPassword, password: string, state: 'wrapped' | 'pending', legacy: LegacyScheme): Promise<boolean> => {
    const digest = await digestOf(legacy, stored.salt ?? '', password).catch(() => undefined);
    if (state === 'wrapped') {
      const pepper = keyring.get('pepper', stored.pepperVersion);
      if (!pepper || digest === undefined || !stored.hash.startsWith('$argon2id$')) {
        await verifyDummy(password);
        return false;
      }
      return queue.run(() => verify(stored.hash, digest, { secret: pepper.secret }));
    }
    const expected = stored.memberId ? vault.open(stored.hash, stored.memberId, legacy) : undefined;
    // Comparing digests takes microseconds; the dummy argon2 makes this answer take as long as any
    // other, so timing does not tell which members still await wrapping.
    await verifyDummy(password);
    return expected !== undefined && digest !== undefined && safeEqual(expected, digest);
  };

  return {
    async hash(password) {
      const pepper = current();
      const phc = await queue.run(() => hash(password.normalize('NFC'), options(pepper.secret)));
      return { hash: phc, pepperVersion: pepper.version, scheme: 'argon2id' };
    },
    async verify(stored, password) {
      const legacy = legacyState(stored.scheme);
      if (legacy) return verifyLegacy(stored, password, legacy.state, legacy.legacy);
      const pepper = keyring.get('pepper', stored.pepperVersion);
      if (!pepper || (stored.scheme ?? 'argon2id') !== 'argon2id' || !stored.hash.startsWith('$argon2id$')) {
        await verifyDummy(password);
        return false;
      }
      return queue.run(() => verify(stored.hash, password.normalize('NFC'), { secret: pepper.secret }));
    },
    verifyDummy,
    needsRehash(stored) {
      if ((stored.scheme ?? 'argon2id') !== 'argon2id') return true;
      if (stored.pepperVersion !== current().version || !stored.hash.startsWith('$argon2id$')) return true;
      const used = parseOptions(stored.hash);
      return used.memoryCost !== settings.memoryKiB || used.timeCost !== settings.iterations || used.parallelism !== settings.parallelism;
    },
    async wrapLegacy(stored) {
      const legacy = legacyState(stored.scheme);
      if (legacy?.state !== 'pending' || !stored.memberId) throw new Error('wrapLegacy takes a pending legacy password');
      const digest = vault.open(stored.hash, stored.memberId, legacy.legacy);
      if (digest === undefined) throw new Error(`the pending legacy password of member ${stored.memberId} does not decrypt`);
      const pepper = current();
      // The digest is ASCII (hex or base64), so there is nothing to normalise.
      const phc = await queue.run(() => hash(digest, options(pepper.secret)));
      return { hash: phc, pepperVersion: pepper.version, scheme: `wrapped:${legacy.legacy}`, salt: stored.salt ?? null, memberId: stored.memberId };
    },
  };
}
