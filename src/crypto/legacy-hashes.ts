import bcrypt from 'bcryptjs';
import { createHash, pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';

/**
 * Password hashes of an operator's old system (the legacy export format, shared/data/README.md).
 *
 * Each is split into a `digest` (the part that depends on the password: what must never rest in the
 * database in clear) and `params` (salt and cost: not secret, needed to recompute the digest from a
 * typed password). The digest is then either encrypted under the keyring's 'legacy' key (pending) or
 * argon2id-hashed with the pepper (wrapped); see migration 007 and src/crypto/password-hasher.ts.
 *
 * `params` never contains `$`, so no stored value looks like a modular-crypt hash (`$2b$…`).
 */
export const legacySchemes = ['md5', 'sha1', 'sha256-salted', 'bcrypt', 'pbkdf2-sha256'] as const;
export type LegacyScheme = (typeof legacySchemes)[number];

export interface LegacyHash {
  scheme: LegacyScheme;
  digest: string;
  params: string;
}

const HEX = { md5: /^[0-9a-f]{32}$/i, sha1: /^[0-9a-f]{40}$/i, sha256: /^[0-9a-f]{64}$/i };
const BCRYPT = /^\$2([aby])\$(\d{2})\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/;
const PBKDF2 = /^pbkdf2_sha256\$(\d{1,8})\$([^$:\s]{1,128})\$([A-Za-z0-9+/]{43}=)$/;
const SALT_MAX = 256;
/** Far above Django's defaults (1.2 M in 2025): a higher count in an export is a broken row, not a hash. */
const PBKDF2_MAX_ITERATIONS = 5_000_000;

export function isLegacyScheme(value: string): value is LegacyScheme {
  return (legacySchemes as readonly string[]).includes(value);
}

/** Splits an exported hash; undefined when it is not a well-formed hash of that scheme. */
export function parseLegacyHash(scheme: LegacyScheme, hash: string, salt: string): LegacyHash | undefined {
  switch (scheme) {
    case 'md5':
    case 'sha1':
      return HEX[scheme].test(hash) && salt === '' ? { scheme, digest: hash.toLowerCase(), params: '' } : undefined;
    case 'sha256-salted':
      return HEX.sha256.test(hash) && salt !== '' && salt.length <= SALT_MAX ? { scheme, digest: hash.toLowerCase(), params: salt } : undefined;
    case 'bcrypt': {
      const match = BCRYPT.exec(hash);
      const cost = Number(match?.[2]);
      if (!match || cost < 4 || cost > 31) return undefined;
      return { scheme, digest: match[4]!, params: `${match[1]}:${match[2]}:${match[3]}` };
    }
    case 'pbkdf2-sha256': {
      const match = PBKDF2.exec(hash);
      const iterations = Number(match?.[1]);
      if (!match || iterations < 1 || iterations > PBKDF2_MAX_ITERATIONS) return undefined;
      return { scheme, digest: match[3]!, params: `${iterations}:${match[2]}` };
    }
  }
}

const pbkdf2Async = promisify(pbkdf2);

/** True for the schemes whose digest costs real CPU (run them behind the hash queue). */
export function isSlowLegacyScheme(scheme: LegacyScheme): boolean {
  return scheme === 'bcrypt' || scheme === 'pbkdf2-sha256';
}

/**
 * The digest the old system would have stored for `password`, in the form `parseLegacyHash` keeps,
 * or undefined when `params` is unusable. The password is taken as typed (UTF-8, not normalised):
 * the old systems hashed the bytes they were given.
 */
export async function legacyDigest(scheme: LegacyScheme, params: string, password: string): Promise<string | undefined> {
  switch (scheme) {
    case 'md5':
    case 'sha1':
      return createHash(scheme).update(password, 'utf8').digest('hex');
    case 'sha256-salted':
      return params === '' ? undefined : createHash('sha256').update(params, 'utf8').update(password, 'utf8').digest('hex');
    case 'bcrypt': {
      const [minor, cost, salt] = params.split(':');
      if (!minor || !cost || !salt) return undefined;
      // bcryptjs runs in slices on the main thread (yielding between them); 31 characters of the
      // result after the 29-character `$2b$nn$<salt>` prefix are the digest.
      const full = await bcrypt.hash(password, `$2${minor}$${cost}$${salt}`);
      return full.slice(29);
    }
    case 'pbkdf2-sha256': {
      const colon = params.indexOf(':');
      const iterations = Number(params.slice(0, colon));
      if (colon < 1 || !Number.isSafeInteger(iterations) || iterations < 1 || iterations > PBKDF2_MAX_ITERATIONS) return undefined;
      return (await pbkdf2Async(password, params.slice(colon + 1), iterations, 32, 'sha256')).toString('base64');
    }
  }
}
