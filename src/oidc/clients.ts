import type { Kysely } from 'kysely';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { hashToken, randomId, randomToken, safeEqual } from '../crypto/random.ts';
import type { OidcClientRow } from '../store/oidc-tables.ts';
import type { Tables } from '../store/tables.ts';
import { OIDC_SCOPES, type OidcScope } from './scopes.ts';

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code', 'client_credentials'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

export interface NewClient {
  name: string;
  /** `public`: a game or app that cannot keep a secret (PKCE, no secret); `confidential`: a server. */
  type: 'public' | 'confidential';
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  grantTypes?: GrantType[];
  scopes?: OidcScope[];
  /** The publisher's own games and sites: members are not asked to consent (see README). */
  firstParty?: boolean;
}

export interface ClientRecord {
  clientId: string;
  name: string;
  type: 'public' | 'confidential';
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  grantTypes: GrantType[];
  scopes: OidcScope[];
  firstParty: boolean;
  createdAt: number;
}

export class ClientInputError extends Error {
  override name = 'ClientInputError';
}

/** The client registry (`playerpass clients …`). A secret is returned once by `add` and stored only hashed. */
export interface ClientRegistry {
  add(input: NewClient): Promise<{ client: ClientRecord; secret: string | undefined }>;
  list(): Promise<ClientRecord[]>;
  find(clientId: string): Promise<ClientRecord | undefined>;
  remove(clientId: string): Promise<boolean>;
  /** The client as oidc-provider reads it: its metadata, with the secret's hash as `client_secret`. */
  providerMetadata(clientId: string): Promise<AdapterPayload | undefined>;
}

/** How a presented secret is compared with the stored `client_secret` (which holds its hash). */
export function secretMatches(storedHash: string | undefined, presented: string): boolean {
  return typeof storedHash === 'string' && storedHash.startsWith('sha256.') && safeEqual(storedHash, hashSecret(presented));
}

function hashSecret(secret: string): string {
  return `sha256.${hashToken(secret)}`;
}

export function createClientRegistry(db: Kysely<Tables>, now: () => number = Date.now): ClientRegistry {
  const byId = (clientId: string) => db.selectFrom('oidc_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  return {
    async add(input) {
      const client = validate(input, randomId(), now());
      const secret = client.type === 'confidential' ? randomToken() : undefined;
      await db
        .insertInto('oidc_clients')
        .values({
          client_id: client.clientId,
          name: client.name,
          secret_hash: secret ? hashSecret(secret) : null,
          metadata: JSON.stringify(metadataOf(client)),
          allowed_scopes: client.scopes.join(' '),
          grant_types: client.grantTypes.join(' '),
          first_party: client.firstParty ? 1 : 0,
          created_at: client.createdAt,
        })
        .execute();
      return { client, secret };
    },
    async list() {
      return (await db.selectFrom('oidc_clients').selectAll().orderBy('created_at').execute()).map(recordOf);
    },
    async find(clientId) {
      const row = await byId(clientId);
      return row ? recordOf(row) : undefined;
    },
    async remove(clientId) {
      const result = await db.deleteFrom('oidc_clients').where('client_id', '=', clientId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async providerMetadata(clientId) {
      const row = await byId(clientId);
      if (!row) return undefined;
      const metadata = JSON.parse(row.metadata) as AdapterPayload;
      return row.secret_hash ? { ...metadata, client_secret: row.secret_hash } : metadata;
    },
  };
}

/** oidc-provider's adapter for the Client model: read-only, the CLI manages the registry. */
export function createClientAdapter(registry: ClientRegistry): Adapter {
  const readOnly = async () => {
    throw new Error('OIDC clients are managed with `playerpass clients`');
  };
  return {
    find: (id) => registry.providerMetadata(id),
    upsert: readOnly,
    findByUserCode: readOnly,
    findByUid: readOnly,
    consume: readOnly,
    destroy: readOnly,
    revokeByGrantId: async () => {},
  };
}

function metadataOf(client: ClientRecord): Record<string, unknown> {
  const usesRedirects = client.grantTypes.includes('authorization_code');
  return {
    client_id: client.clientId,
    client_name: client.name,
    application_type: 'web',
    grant_types: client.grantTypes,
    response_types: usesRedirects ? ['code'] : [],
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    token_endpoint_auth_method: client.type === 'confidential' ? 'client_secret_basic' : 'none',
    scope: client.scopes.join(' '),
    id_token_signed_response_alg: 'ES256',
  };
}

function recordOf(row: OidcClientRow): ClientRecord {
  const metadata = JSON.parse(row.metadata) as { redirect_uris?: string[]; post_logout_redirect_uris?: string[] };
  return {
    clientId: row.client_id,
    name: row.name,
    type: row.secret_hash ? 'confidential' : 'public',
    redirectUris: metadata.redirect_uris ?? [],
    postLogoutRedirectUris: metadata.post_logout_redirect_uris ?? [],
    grantTypes: row.grant_types.split(' ').filter(Boolean) as GrantType[],
    scopes: row.allowed_scopes.split(' ').filter(Boolean) as OidcScope[],
    firstParty: row.first_party === 1,
    createdAt: row.created_at,
  };
}

function validate(input: NewClient, clientId: string, createdAt: number): ClientRecord {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100 || /[\p{Cc}]/u.test(name)) throw new ClientInputError('the name must be 1 to 100 printable characters');
  if (input.type !== 'public' && input.type !== 'confidential') throw new ClientInputError('the type must be public or confidential');
  const grantTypes: GrantType[] = [...new Set(input.grantTypes ?? (['authorization_code', 'refresh_token'] as const))];
  for (const grant of grantTypes) if (!(GRANT_TYPES as readonly string[]).includes(grant)) throw new ClientInputError(`unknown grant type "${grant}"`);
  if (grantTypes.length === 0) throw new ClientInputError('a client needs at least one grant type');
  if (grantTypes.includes('client_credentials') && input.type !== 'confidential') throw new ClientInputError('client_credentials is for confidential clients (game servers) only');
  if (grantTypes.includes('refresh_token') && !grantTypes.some((g) => g === 'authorization_code' || g === 'urn:ietf:params:oauth:grant-type:device_code')) {
    throw new ClientInputError('refresh_token needs authorization_code or the device code grant');
  }
  const forMembers = grantTypes.some((g) => g === 'authorization_code' || g === 'urn:ietf:params:oauth:grant-type:device_code');
  const scopes: OidcScope[] = [...new Set(input.scopes ?? (forMembers ? (['openid', 'profile'] as const) : (['openid'] as const)))];
  // oidc-provider treats an empty allow-list as "anything": a client always has at least one scope.
  if (scopes.length === 0) throw new ClientInputError('a client needs at least one scope');
  for (const scope of scopes) if (!(OIDC_SCOPES as readonly string[]).includes(scope)) throw new ClientInputError(`unknown scope "${scope}"`);
  const redirectUris = (input.redirectUris ?? []).map((uri) => checkUri(uri, '--redirect-uri'));
  const postLogoutRedirectUris = (input.postLogoutRedirectUris ?? []).map((uri) => checkUri(uri, '--logout-uri'));
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0) throw new ClientInputError('authorization_code needs at least one --redirect-uri');
  if (!grantTypes.includes('authorization_code') && redirectUris.length > 0) throw new ClientInputError('redirect URIs are only for authorization_code clients');
  return { clientId, name, type: input.type, redirectUris, postLogoutRedirectUris, grantTypes, scopes, firstParty: input.firstParty === true, createdAt };
}

function checkUri(uri: string, option: string): string {
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    throw new ClientInputError(`${option} must be an absolute URL, not "${uri}"`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new ClientInputError(`${option} must be http:// or https://`);
  if (parsed.hash) throw new ClientInputError(`${option} must not have a #fragment`);
  return uri;
}
