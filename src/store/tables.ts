/** The stored shape of every table. Personal data only ever appears here as ciphertext (`*_ct`). */
export interface Tables {
  meta: { key: string; value: string };
  members: MemberRow;
  credentials: CredentialRow;
  sessions: SessionRow;
  one_time_tokens: OneTimeTokenRow;
  outbox: OutboxRow;
  member_devices: MemberDeviceRow;
  audit_events: AuditEventRow;
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
  created_at: number;
  updated_at: number;
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
}

export interface SessionRow {
  id: string;
  token_hash: string;
  member_id: string;
  device_ct: string | null;
  ip_prefix: string | null;
  created_at: number;
  authenticated_at: number;
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
