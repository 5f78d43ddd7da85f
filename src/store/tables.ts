import type { Generated } from 'kysely';
import type { MfaTables } from './mfa-tables.ts';
import type { OidcTables } from './oidc-tables.ts';

/** The stored shape of every table. Personal data only ever appears here as ciphertext (`*_ct`). */
export interface Tables extends OidcTables, MfaTables {
  meta: { key: string; value: string };
  members: MemberRow;
  credentials: CredentialRow;
  sessions: SessionRow;
  one_time_tokens: OneTimeTokenRow;
  outbox: OutboxRow;
  member_devices: MemberDeviceRow;
  audit_events: AuditEventRow;
  incidents: IncidentRow;
  incident_members: IncidentMemberRow;
  incident_steps: IncidentStepRow;
  webhooks: WebhookRow;
  webhook_deliveries: WebhookDeliveryRow;
  capabilities: CapabilityRow;
}

export interface MemberRow {
  id: string;
  display_name_ct: string;
  display_name_idx: string;
  email_ct: string;
  email_idx: string;
  birth_date_ct: string;
  status: 'active' | 'suspended' | 'deleted';
  email_verified: number;
  must_reset: number;
  canary: number;
  key_version: number;
  failed_sign_ins: number;
  /** Keyed marker of the member's kind (canary or not); the plain `canary` column stays 0. */
  kind_marker: string | null;
  created_at: number;
  updated_at: number;
  /** The old system's id for members brought in by `playerpass import members`; null otherwise. */
  legacy_id: string | null;
}

export interface MemberDeviceRow {
  member_id: string;
  device_hash: string;
  created_at: number;
  last_seen_at: number;
}

export interface CredentialRow {
  member_id: string;
  kind: 'password';
  secret: string;
  key_version: number;
  created_at: number;
  updated_at: number;
  /** What `secret` is: `argon2id`, `wrapped:<legacy>` or `pending:<legacy>` (see migration 007). */
  scheme: Generated<string>;
  /** Non-secret inputs of a legacy digest (salt, cost); null for argon2id. */
  salt: string | null;
}

export interface SessionRow {
  id: string;
  token_hash: string;
  member_id: string;
  device_ct: string | null;
  ip_prefix: string | null;
  created_at: number;
  authenticated_at: number;
  /** RFC 8176 method references, comma-separated (null: an older session, password only). */
  amr: string | null;
  last_seen_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface OneTimeTokenRow {
  id: string;
  token_hash: string;
  member_id: string;
  purpose: TokenPurpose;
  payload_ct: string | null;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}

export type TokenPurpose = 'verify_email' | 'reset_password' | 'change_email' | 'report_sign_in';

export interface OutboxRow {
  id: string;
  idempotency_key: string;
  template: string;
  recipient_ct: string;
  payload_ct: string | null;
  status: 'queued' | 'sending' | 'sent' | 'abandoned';
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  sent_at: number | null;
  last_error: string | null;
  created_at: number;
}

/** Append only; `hash` = HMAC(audit key of `key_version`, `prev_hash` ‖ canonical row). See src/ops/audit. */
export interface AuditEventRow {
  seq: number;
  id: string;
  at: number;
  type: string;
  member_id: string | null;
  ip_prefix: string | null;
  /** Canonical JSON object: member ids, flags, counts; never secrets or personal data. */
  data: string;
  key_version: number;
  prev_hash: string;
  hash: string;
}

/** An operator's webhook endpoint. `event_types` is `*` or a comma list; the secret is encrypted. */
export interface WebhookRow {
  id: string;
  url: string;
  event_types: string;
  secret_ct: string;
  created_at: number;
  disabled_at: number | null;
}

/** One event for one webhook, moved queued → sending → delivered / abandoned by the dispatcher. */
export interface WebhookDeliveryRow {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  /** The JSON body sent: ids, flags and counts only, never personal data or secrets. */
  payload: string;
  status: 'queued' | 'sending' | 'delivered' | 'abandoned';
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

/** A security incident: the scope it was opened with and, in `counts`, the frozen per-category counts (JSON). */
export interface IncidentRow {
  id: string;
  title: string;
  opened_at: number;
  window_from: number;
  window_to: number;
  /** Comma list of `names`, `emails`, `birthdates`, `password_hashes`. */
  data_categories: string;
  scope_kind: 'all' | 'created_before' | 'signed_in_within' | 'id_list';
  scope_arg: string | null;
  contact: string;
  status: 'scoping' | 'open';
  created_by: string;
  counts: string;
  /** The operator's plain-text notice with {{placeholders}}, or null for the built-in one. */
  notice_template: string | null;
}

/** One affected member of one incident; each step sets its column in the transaction that does its work. */
export interface IncidentMemberRow {
  incident_id: string;
  member_id: string;
  revoked_at: number | null;
  reset_required_at: number | null;
  notified_at: number | null;
}

/** The timeline: one row per run of a step (dry runs included, flagged). */
export interface IncidentStepRow {
  id: string;
  incident_id: string;
  step: string;
  started_at: number;
  finished_at: number | null;
  count: number | null;
  remaining: number | null;
  dry_run: number;
}

/** A maintenance switch (src/ops/maintenance). No row means the capability is on. */
export interface CapabilityRow {
  name: string;
  state: 'on' | 'off' | 'read_only';
  /** Public text shown to members while the capability is not on. */
  message: string | null;
  updated_at: number;
  /** `cli` or `admin_api`. */
  updated_by: string | null;
}
