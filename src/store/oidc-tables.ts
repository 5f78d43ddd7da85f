/** The OpenID Connect tables (migration 008-oidc); part of `Tables`. */
export interface OidcTables {
  oidc_payloads: OidcPayloadRow;
  oidc_clients: OidcClientRow;
  oidc_keys: OidcKeyRow;
  oidc_subjects: OidcSubjectRow;
}

/** One oidc-provider artefact. `id`, `user_code` and `uid` are SHA-256 hashes; times are epoch ms. */
export interface OidcPayloadRow {
  kind: string;
  id: string;
  /** JSON without the values a client holds (token ids, user codes): those are only in hashed columns. */
  payload: string;
  grant_id: string | null;
  /** The member's `sub` (oidc_subjects), for revoking everything a member's clients hold. */
  account_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: number | null;
  consumed_at: number | null;
}

export interface OidcClientRow {
  client_id: string;
  name: string;
  /** `sha256.<base64url>` of a confidential client's secret; null for public clients. */
  secret_hash: string | null;
  /** The client's metadata for oidc-provider (JSON), without any secret. */
  metadata: string;
  /** Space-separated. */
  allowed_scopes: string;
  /** Space-separated. */
  grant_types: string;
  first_party: number;
  created_at: number;
}

export interface OidcKeyRow {
  kid: string;
  alg: 'ES256' | 'RS256';
  /** The private JWK (JSON), encrypted with the field cipher (table oidc_keys, column jwk, row kid). */
  jwk_ct: string;
  created_at: number;
  retired_at: number | null;
}

export interface OidcSubjectRow {
  sub: string;
  member_id: string;
  created_at: number;
}
