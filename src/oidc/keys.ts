import type { Kysely } from 'kysely';
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import { randomId } from '../crypto/random.ts';
import type { Tables } from '../store/tables.ts';

/** ES256 signs by default; RS256 is kept for relying parties that only know RSA. */
export const SIGNING_ALGS = ['ES256', 'RS256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** How long a new key is only published before it signs (nodes reload keys every few minutes). */
export const ACTIVATE_AFTER_MS = 15 * 60 * 1000;

export interface SigningKeyInfo {
  kid: string;
  alg: SigningAlg;
  createdAt: number;
  retiredAt: number | null;
}

/**
 * Token signing keys, kept in the database as private JWKs encrypted under the keyring's field key
 * (bound to table, column and kid), so every node signs with the same keys and a copy of the
 * database alone cannot forge tokens. All unretired keys are published in the JWKS. oidc-provider
 * signs with the first key of the wanted algorithm, so a new key is put last (published, not yet
 * signing) until it is `ACTIVATE_AFTER_MS` old: by then every node has reloaded the keys and
 * publishes it, so no relying party meets a signature from a key it cannot find.
 */
export interface SigningKeys {
  /**
   * The private JWKS for oidc-provider, signing keys first, creating the first key of each algorithm
   * if there is none. `version` changes whenever the published or signing keys change.
   */
  load(): Promise<{ jwks: { keys: JsonWebKey[] }; version: string }>;
  /** Adds a new key per algorithm and retires all but the one it replaces (still published, so tokens it signed verify). */
  rotate(): Promise<SigningKeyInfo[]>;
  list(): Promise<SigningKeyInfo[]>;
}

export function createSigningKeys(db: Kysely<Tables>, cipher: FieldCipher, now: () => number = Date.now): SigningKeys {
  const context = (kid: string) => ({ table: 'oidc_keys', column: 'jwk', rowId: kid });
  const active = () => db.selectFrom('oidc_keys').selectAll().where('retired_at', 'is', null).orderBy('created_at', 'desc').orderBy('kid').execute();
  const add = async (alg: SigningAlg, at: number): Promise<SigningKeyInfo> => {
    const kid = randomId();
    const jwk = { ...generate(alg), kid, alg, use: 'sig' };
    await db.insertInto('oidc_keys').values({ kid, alg, jwk_ct: cipher.encrypt(JSON.stringify(jwk), context(kid)), created_at: at, retired_at: null }).execute();
    return { kid, alg, createdAt: at, retiredAt: null };
  };
  return {
    async load() {
      let rows = await active();
      const missing = SIGNING_ALGS.filter((alg) => !rows.some((row) => row.alg === alg));
      if (missing.length > 0) {
        for (const alg of missing) await add(alg, now());
        rows = await active();
      }
      const at = now();
      // Per algorithm: the newest key old enough signs; a first key signs at once (nothing older can).
      const signers = new Set(
        SIGNING_ALGS.map((alg) => {
          const ofAlg = rows.filter((row) => row.alg === alg);
          return (ofAlg.find((row) => row.created_at <= at - ACTIVATE_AFTER_MS) ?? ofAlg.at(-1))!.kid;
        }),
      );
      const ordered = [...rows.filter((row) => signers.has(row.kid)), ...rows.filter((row) => !signers.has(row.kid))];
      return {
        jwks: { keys: ordered.map((row) => JSON.parse(cipher.decrypt(row.jwk_ct, context(row.kid))) as JsonWebKey) },
        version: ordered.map((row) => `${signers.has(row.kid) ? '+' : '-'}${row.kid}`).join(','),
      };
    },
    async rotate() {
      const at = now();
      const before = await active();
      const added: SigningKeyInfo[] = [];
      for (const alg of SIGNING_ALGS) added.push(await add(alg, at));
      for (const alg of SIGNING_ALGS) {
        const [, ...older] = before.filter((row) => row.alg === alg);
        for (const row of older) await db.updateTable('oidc_keys').set({ retired_at: at }).where('kid', '=', row.kid).execute();
      }
      return added;
    },
    async list() {
      const rows = await db.selectFrom('oidc_keys').select(['kid', 'alg', 'created_at', 'retired_at']).orderBy('created_at', 'desc').execute();
      return rows.map((row) => ({ kid: row.kid, alg: row.alg, createdAt: row.created_at, retiredAt: row.retired_at }));
    },
  };
}

function generate(alg: SigningAlg): JsonWebKey {
  const { privateKey } = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ format: 'jwk' });
}
