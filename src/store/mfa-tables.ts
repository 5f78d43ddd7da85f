/** The stored shape of the second-factor tables (migration 010). */
export interface MfaTables {
  member_totp: MemberTotpRow;
  recovery_codes: RecoveryCodeRow;
  passkeys: PasskeyRow;
  mfa_challenges: MfaChallengeRow;
}

export interface MemberTotpRow {
  member_id: string;
  /** The base32 secret, encrypted (associated data member_totp / secret / member id). */
  secret_ct: string;
  confirmed_at: number | null;
  /** The last TOTP time step accepted: a code of that step or an earlier one is refused. */
  last_step: number | null;
  created_at: number;
}

export interface RecoveryCodeRow {
  id: string;
  member_id: string;
  code_hash: string;
  used_at: number | null;
  created_at: number;
}

export interface PasskeyRow {
  id: string;
  member_id: string;
  /** base64url, as the browser reports it. */
  credential_id: string;
  /** base64url COSE public key. */
  public_key: string;
  counter: number;
  /** Comma list of transports (`internal`, `usb`, `hybrid`, …), or null. */
  transports: string | null;
  name_ct: string;
  backed_up: number;
  created_at: number;
  last_used_at: number | null;
}

export type MfaChallengePurpose = 'sign_in' | 'passkey_sign_in' | 'passkey_register';

export interface MfaChallengeRow {
  id: string;
  purpose: MfaChallengePurpose;
  member_id: string | null;
  /** passkey_register: the session that asked (only it may finish). */
  session_id: string | null;
  /** The WebAuthn challenge (base64url) the browser must sign, if this step offers a passkey. */
  webauthn_challenge: string | null;
  attempts: number;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}
