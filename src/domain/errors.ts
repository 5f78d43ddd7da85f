/**
 * The one error class a client can ever see. `code` is stable and machine-readable; `message` is
 * safe to show; `fields` maps an input field to the code of what is wrong with it.
 */
export type FieldErrors = Record<string, string>;

export const errorCatalogue = {
  validation_failed: { status: 400, message: 'Some fields are missing or invalid.', fix: '`fields` names each field at fault with a code (`required`, `too_short`, `too_long`, `invalid_type`, `invalid_email`, `invalid_date`, `before_1900`, `in_future`, `forbidden_characters`, `contains_personal_info`, `unknown_field`, `unchanged`). Correct those fields and send again.' },
  bad_request: { status: 400, message: 'The request could not be understood.', fix: 'Check the method, headers and body against the OpenAPI document at `/api/v1/openapi.json`.' },
  malformed_body: { status: 400, message: 'The request body could not be parsed.', fix: 'Send valid JSON (an object) with `content-type: application/json`.' },
  payload_too_large: { status: 413, message: 'The request body is too large.', fix: 'Bodies are limited to 16 KiB; no valid request comes near it.' },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json.', fix: 'Set `content-type: application/json` (pages post `application/x-www-form-urlencoded`).' },
  csrf_invalid: { status: 403, message: 'The form expired or came from another site. Reload the page and try again.', fix: 'Pages only: reload the form so it carries a fresh `_csrf` token; cookies must be enabled.' },
  unauthenticated: { status: 401, message: 'Sign in to continue.', fix: 'Send `Authorization: Bearer <token>` from `POST /api/v1/sessions`; sessions end after the idle timeout, at their absolute expiry, on sign-out, on a password change (other sessions) and on a reset (all).' },
  credentials_invalid: { status: 401, message: 'The email address or password is wrong.', fix: 'The same answer for an unknown email and a wrong password, by design. Ask the member to retry or reset the password.' },
  email_unverified: { status: 403, message: 'Confirm your email address first: we have sent you a new link.', fix: 'The password was right; the member must open the verification link that was just mailed.' },
  password_reset_required: { status: 403, message: 'You must choose a new password: use the link we have sent you.', fix: 'An operator required a new password; a reset link was mailed.' },
  password_incorrect: { status: 403, message: 'Your current password is not right.', fix: 'Sensitive changes need the current password in `currentPassword`.' },
  account_unavailable: { status: 403, message: 'This account cannot sign in.', fix: 'The account is suspended or deleted; the member should contact support.' },
  display_name_taken: { status: 409, message: 'That display name is taken.', fix: 'Display names are unique ignoring case; choose another.' },
  token_invalid: { status: 400, message: 'This link is not valid. Ask for a new one.', fix: 'The token is unknown, for another purpose, or was replaced by a newer link. Request a new one.' },
  token_expired: { status: 400, message: 'This link has expired. Ask for a new one.', fix: 'Verification links last 24 h, reset links 30 min, email-change links 24 h. Request a new one.' },
  token_used: { status: 400, message: 'This link has already been used.', fix: 'Each mailed link works once.' },
  email_unavailable: { status: 409, message: 'That email address cannot be used.', fix: 'The new address was taken by another account before the change was confirmed.' },
  rate_limited: { status: 429, message: 'Too many attempts. Wait a moment and try again.', fix: 'Wait for the number of seconds in the `Retry-After` header.' },
  overloaded: { status: 503, message: 'The service is busy. Try again in a moment.', fix: 'Too many password hashes are waiting; retry after `Retry-After` seconds.' },
  capability_offline: { status: 503, message: 'This part of playerpass is switched off for maintenance. Try again later.', fix: 'An operator switched this capability off (or to read-only) for maintenance; `message` is their public notice. Retry after the `Retry-After` seconds; `GET /api/v1/status` shows what is on.' },
  second_factor_invalid: { status: 401, message: 'That code or passkey did not work.', fix: 'The authenticator code is wrong, was already used, or is more than one 30-second step off; or the recovery code is unknown or used; or the passkey is not one of the member\'s. Try again with a fresh code.' },
  mfa_challenge_invalid: { status: 400, message: 'This sign-in step has expired. Sign in again.', fix: 'The `challengeId` is unknown, expired (5 minutes), already used, or had too many wrong attempts. Start again with `POST /api/v1/sessions` (or a new passkey sign-in).' },
  reauthentication_required: { status: 403, message: 'Confirm your password first: this change needs a recent sign-in.', fix: 'Adding or removing a second factor, exporting the account (`GET /api/v1/me/export`) and deleting an account that has no password need a sign-in within the last 10 minutes. Send the password to `POST /api/v1/sessions/current/reauthentication`, then retry.' },
  totp_already_enabled: { status: 409, message: 'An authenticator app is already set up. Remove it first to set up another.', fix: 'One authenticator app per member: `DELETE /api/v1/me/mfa/totp` first.' },
  totp_not_started: { status: 409, message: 'Start setting up the authenticator app again.', fix: 'Call `POST /api/v1/me/mfa/totp` for a new secret, then confirm it with a code.' },
  mfa_not_enabled: { status: 409, message: 'Set up an authenticator app or a passkey first.', fix: 'Recovery codes belong to a second factor: enrol one first.' },
  passkey_invalid: { status: 400, message: 'The passkey could not be checked. Try again.', fix: 'The WebAuthn response did not match the challenge, origin or relying party, or came from an unknown or cloned authenticator. Ask for new options and try again.' },
  passkey_limit_reached: { status: 409, message: 'You have the most passkeys allowed. Remove one first.', fix: 'A member may register at most 20 passkeys.' },
  not_found: { status: 404, message: 'Nothing here.', fix: 'Check the path against the OpenAPI document.' },
  internal_error: { status: 500, message: 'Something went wrong on our side. Try again later.', fix: 'A bug or an outage on our side; the details are in the server log under the request id.' },
} as const satisfies Record<string, { status: number; message: string; fix: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export class PassError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields?: FieldErrors;
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, options: { fields?: FieldErrors; message?: string; retryAfterSeconds?: number } = {}) {
    super(options.message ?? errorCatalogue[code].message);
    this.name = 'PassError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    if (options.fields) this.fields = options.fields;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function validationFailed(fields: FieldErrors): PassError {
  return new PassError('validation_failed', { fields });
}
