import { hash, parseOptions, verify, type Options } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import type { Keyring } from './keyring.ts';
import type { WorkQueue } from './work-queue.ts';

/**
 * argon2id with a pepper (argon2's secret input) from the keyring, so a stolen database alone cannot
 * even start a dictionary attack. Hashing runs on libuv's pool behind a bounded queue.
 */
export interface PasswordHasher {
  hash(password: string): Promise<StoredPassword>;
  verify(stored: StoredPassword, password: string): Promise<boolean>;
  /** Spends the same work as a real verify, for unknown accounts, so timing reveals nothing. */
  verifyDummy(password: string): Promise<void>;
  needsRehash(stored: StoredPassword): boolean;
}

export interface StoredPassword {
  /** PHC string: `$argon2id$v=19$m=…,t=…,p=…$salt$hash`. */
  hash: string;
  pepperVersion: number;
}

export interface Argon2Settings {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

const ARGON2ID = 2 as unknown as NonNullable<Options['algorithm']>;

export async function createPasswordHasher(settings: Argon2Settings, keyring: Keyring, queue: WorkQueue): Promise<PasswordHasher> {
  const options = (secret: Buffer): Options => ({
    algorithm: ARGON2ID,
    memoryCost: settings.memoryKiB,
    timeCost: settings.iterations,
    parallelism: settings.parallelism,
    secret,
  });
  const current = () => keyring.current('pepper');
  const dummy = await hash(randomBytes(16).toString('base64'), options(current().secret));

  const verifyDummy = async (password: string): Promise<void> => {
    await queue.run(() => verify(dummy, password.normalize('NFC'), { secret: current().secret }));
  };

  return {
    async hash(password) {
      const pepper = current();
      const phc = await queue.run(() => hash(password.normalize('NFC'), options(pepper.secret)));
      return { hash: phc, pepperVersion: pepper.version };
    },
    async verify(stored, password) {
      const pepper = keyring.get('pepper', stored.pepperVersion);
      if (!pepper || !stored.hash.startsWith('$argon2id$')) {
        await verifyDummy(password);
        return false;
      }
      return queue.run(() => verify(stored.hash, password.normalize('NFC'), { secret: pepper.secret }));
    },
    verifyDummy,
    needsRehash(stored) {
      if (stored.pepperVersion !== current().version || !stored.hash.startsWith('$argon2id$')) return true;
      const used = parseOptions(stored.hash);
      return used.memoryCost !== settings.memoryKiB || used.timeCost !== settings.iterations || used.parallelism !== settings.parallelism;
    },
  };
}
