/**
 * The one error class a client can ever see. `code` is stable and machine-readable; `message` is
 * safe to show; `fields` maps an input field to the code of what is wrong with it.
 */
export type FieldErrors = Record<string, string>;

export const errorCatalogue = {
  validation_failed: { status: 400, message: 'Some fields are missing or invalid.' },
  bad_request: { status: 400, message: 'The request could not be understood.' },
  malformed_body: { status: 400, message: 'The request body could not be parsed.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json.' },
  csrf_invalid: { status: 403, message: 'The form expired or came from another site. Reload the page and try again.' },
  unauthenticated: { status: 401, message: 'Sign in to continue.' },
  credentials_invalid: { status: 401, message: 'The email address or password is wrong.' },
  email_unverified: { status: 403, message: 'Confirm your email address first: we have sent you a new link.' },
  password_reset_required: { status: 403, message: 'You must choose a new password: use the link we have sent you.' },
  password_incorrect: { status: 403, message: 'Your current password is not right.' },
  account_unavailable: { status: 403, message: 'This account cannot sign in.' },
  display_name_taken: { status: 409, message: 'That display name is taken.' },
  token_invalid: { status: 400, message: 'This link is not valid. Ask for a new one.' },
  token_expired: { status: 400, message: 'This link has expired. Ask for a new one.' },
  token_used: { status: 400, message: 'This link has already been used.' },
  email_unavailable: { status: 409, message: 'That email address cannot be used.' },
  password_too_weak: { status: 400, message: 'Choose a different password.' },
  rate_limited: { status: 429, message: 'Too many attempts. Wait a moment and try again.' },
  overloaded: { status: 503, message: 'The service is busy. Try again in a moment.' },
  not_found: { status: 404, message: 'Nothing here.' },
  method_not_allowed: { status: 405, message: 'That method is not allowed here.' },
  internal_error: { status: 500, message: 'Something went wrong on our side. Try again later.' },
} as const satisfies Record<string, { status: number; message: string }>;

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
