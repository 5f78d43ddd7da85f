import type { Kysely } from 'kysely';
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';
import type { FieldCipher } from '../crypto/field-cipher.ts';
import { hashToken } from '../crypto/random.ts';
import type { Tables } from '../store/tables.ts';
import { createClientAdapter, type ClientRegistry } from './clients.ts';

/**
 * oidc-provider's storage on playerpass's own database (SQLite or PostgreSQL), so every node sees
 * the same sessions, grants, codes and tokens. What a client holds (an opaque token is its own id,
 * a session cookie is the session's id, a device's user code) is stored only as a SHA-256 hash, and
 * taken out of the JSON payload; it is put back from the value the caller looked up with. A device
 * code is also found by its user code, so its id is kept too, encrypted (AD bound to the row).
 */
export function createOidcAdapterFactory(db: Kysely<Tables>, clients: ClientRegistry, cipher: FieldCipher, now: () => number = Date.now): AdapterFactory {
  return (model) => (model === 'Client' ? createClientAdapter(clients) : createPayloadAdapter(db, cipher, model, now));
}

function createPayloadAdapter(db: Kysely<Tables>, cipher: FieldCipher, kind: string, now: () => number): Adapter {
  const idContext = (hashedId: string) => ({ table: 'oidc_payloads', column: 'jti', rowId: `${kind}.${hashedId}` });
  const row = () => db.selectFrom('oidc_payloads').select(['payload', 'consumed_at']).where('kind', '=', kind);
  const open = (found: { payload: string; consumed_at: number | null; id?: string } | undefined, restore: Record<string, unknown>) => {
    if (!found) return undefined;
    const { jti_ct: sealedId, ...payload } = JSON.parse(found.payload) as AdapterPayload & { jti_ct?: string };
    if (found.consumed_at !== null) payload.consumed = Math.floor(found.consumed_at / 1000);
    if (restore.jti === undefined && sealedId && found.id) {
      // Sealed under a field key since retired (a device code lives minutes): as good as expired.
      try {
        restore.jti = cipher.decrypt(sealedId, idContext(found.id));
      } catch {
        return undefined;
      }
    }
    return { ...payload, ...restore } as AdapterPayload;
  };

  return {
    async upsert(id, payload, expiresIn) {
      const hashedId = hashToken(id);
      const stored = stripHeldValues(payload) as AdapterPayload & { jti_ct?: string };
      if (kind === 'DeviceCode') stored.jti_ct = cipher.encrypt(id, idContext(hashedId));
      const values = {
        payload: JSON.stringify(stored),
        grant_id: typeof payload.grantId === 'string' ? payload.grantId : null,
        account_id: typeof payload.accountId === 'string' ? payload.accountId : null,
        user_code: typeof payload.userCode === 'string' ? hashToken(payload.userCode) : null,
        uid: typeof payload.uid === 'string' ? hashToken(payload.uid) : null,
        expires_at: typeof expiresIn === 'number' ? now() + expiresIn * 1000 : null,
      };
      await db
        .insertInto('oidc_payloads')
        .values({ kind, id: hashedId, consumed_at: null, ...values })
        // A device code saved again after a lookup by id comes without its user code: keep the index.
        .onConflict((oc) => oc.columns(['kind', 'id']).doUpdateSet(values.user_code === null ? { ...values, user_code: undefined } : values))
        .execute();
    },
    async find(id) {
      return open(await row().where('id', '=', hashToken(id)).executeTakeFirst(), { jti: id });
    },
    async findByUserCode(userCode) {
      const found = await row().select('id').where('user_code', '=', hashToken(userCode)).orderBy('expires_at', 'desc').executeTakeFirst();
      return open(found, { userCode });
    },
    async findByUid(uid) {
      const found = await row().where('uid', '=', hashToken(uid)).executeTakeFirst();
      // A session's id is its cookie value, which only the browser has: the session comes back without it.
      return open(found, { uid });
    },
    async consume(id) {
      await db.updateTable('oidc_payloads').set({ consumed_at: now() }).where('kind', '=', kind).where('id', '=', hashToken(id)).execute();
    },
    async destroy(id) {
      await db.deleteFrom('oidc_payloads').where('kind', '=', kind).where('id', '=', hashToken(id)).execute();
    },
    async revokeByGrantId(grantId) {
      await db.deleteFrom('oidc_payloads').where('kind', '=', kind).where('grant_id', '=', grantId).execute();
    },
  };
}

/** The payload without the values that work as credentials (token id, user code, session cookie). */
function stripHeldValues(payload: AdapterPayload): AdapterPayload {
  const { jti: _jti, userCode: _userCode, ...rest } = payload as AdapterPayload & { jti?: string };
  const session = rest.session as Record<string, unknown> | undefined;
  if (session && typeof session === 'object' && 'cookie' in session) {
    const { cookie: _cookie, ...kept } = session;
    return { ...rest, session: kept } as AdapterPayload;
  }
  return rest;
}
