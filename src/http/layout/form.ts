import { html, type SafeHtml } from './html.ts';
import { DISPLAY_NAME_MAX, DISPLAY_NAME_MIN } from '../../domain/display-name.ts';
import { PASSWORD_MAX, PASSWORD_MIN_DEFAULT } from '../../domain/password-policy.ts';

export interface FieldOptions {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'date' | 'hidden';
  value?: string;
  autocomplete?: string;
  hint?: string;
  error?: string;
  required?: boolean;
  maxlength?: number;
  minlength?: number;
}

/** A labelled input with its hint and error text wired through `aria-describedby`. */
export function field(options: FieldOptions): SafeHtml {
  const { name, label, type = 'text', value, autocomplete, hint, error, required, maxlength, minlength } = options;
  if (type === 'hidden') {
    return html`<input type="hidden" name="${name}" value="${value ?? ''}">`;
  }
  const id = `field-${name}`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : undefined, error ? errorId : undefined].filter(Boolean).join(' ');
  // A password is never echoed back into the page.
  const shownValue = type === 'password' ? undefined : value;
  const attrs = html`${shownValue !== undefined ? html` value="${shownValue}"` : ''}${
    autocomplete ? html` autocomplete="${autocomplete}"` : ''
  }${required ? html` required` : ''}${maxlength !== undefined ? html` maxlength="${maxlength}"` : ''}${
    minlength !== undefined ? html` minlength="${minlength}"` : ''
  }${describedBy ? html` aria-describedby="${describedBy}"` : ''}${error ? html` aria-invalid="true"` : ''}`;
  return html`<div class="${error ? 'field field-invalid' : 'field'}">
        <label for="${id}">${label}</label>
        ${hint ? html`<p class="field-hint" id="${hintId}">${hint}</p>` : ''}
        ${error ? html`<p class="field-error" id="${errorId}"><span class="visually-hidden">Error: </span>${error}</p>` : ''}
        <input id="${id}" name="${name}" type="${type}"${attrs}>
      </div>`;
}

export interface FormOptions {
  action: string;
  csrfToken: string;
  submitLabel: string;
  fields: SafeHtml[];
  error?: string | undefined;
  method?: 'post';
}

/** A POST form carrying the `_csrf` field, an optional form-level error, the fields and a submit button. */
export function form(options: FormOptions): SafeHtml {
  const { action, csrfToken, submitLabel, fields, error } = options;
  return html`<form class="form" method="post" action="${action}">
      <input type="hidden" name="_csrf" value="${csrfToken}">
      ${error ? html`<div class="notice notice-error" role="alert">${error}</div>` : ''}
      ${fields}
      <div class="form-actions">
        <button type="submit" class="button">${submitLabel}</button>
      </div>
    </form>`;
}

function kind(field: string): 'password' | 'displayName' | 'email' | 'birthDate' | 'other' {
  const f = field.toLowerCase();
  if (f.includes('password')) return 'password';
  if (f.includes('displayname') || f === 'display_name') return 'displayName';
  if (f.includes('email')) return 'email';
  if (f.includes('birth')) return 'birthDate';
  return 'other';
}

/**
 * Plain English for the field error codes the API returns. `passwordMinLength` is the configured
 * minimum (never below the default of 8); without it the text names the default.
 */
export function fieldErrorText(field: string, code: string, options: { passwordMinLength?: number } = {}): string {
  const k = kind(field);
  switch (code) {
    case 'required':
      switch (k) {
        case 'password':
          return 'Enter a password.';
        case 'displayName':
          return 'Enter a display name.';
        case 'email':
          return 'Enter your email address.';
        case 'birthDate':
          return 'Enter your date of birth.';
        default:
          return 'This field is required.';
      }
    case 'too_short':
      if (k === 'password') return `Use at least ${Math.max(options.passwordMinLength ?? PASSWORD_MIN_DEFAULT, PASSWORD_MIN_DEFAULT)} characters.`;
      if (k === 'displayName') return `Use at least ${DISPLAY_NAME_MIN} characters.`;
      return 'This is too short.';
    case 'too_long':
      if (k === 'password') return `Use at most ${PASSWORD_MAX} characters.`;
      if (k === 'displayName') return `Use at most ${DISPLAY_NAME_MAX} characters.`;
      if (k === 'email') return 'Email addresses can be at most 254 characters.';
      return 'This is too long.';
    case 'invalid_type':
      return 'Enter a valid value.';
    case 'invalid_format':
      if (k === 'birthDate') return 'Enter a date like 2001-09-30.';
      return 'This is not in the right format.';
    case 'invalid_email':
      return 'Enter an email address like name@example.com.';
    case 'invalid_date':
      return 'Enter a real date, like 2001-09-30.';
    case 'before_1900':
      return 'Enter a date after 1 January 1900.';
    case 'in_future':
      return 'Your date of birth must be in the past.';
    case 'forbidden_characters':
      if (k === 'displayName') return 'Use letters, numbers, spaces and punctuation only — no control or invisible characters.';
      return 'This contains characters that are not allowed.';
    case 'contains_personal_info':
      return 'Choose a password that is not based on your name or email address.';
    case 'common_password':
      return 'This password is too common: attackers try it first. Choose a longer phrase of your own.';
    case 'breached_password':
      return 'This password has appeared in a data breach elsewhere. Choose another.';
    case 'display_name_taken':
      return 'That display name is already in use. Choose another.';
    case 'code_invalid':
      return 'That code is not right. Enter the code your app shows now.';
    case 'unknown_field':
      return 'This field is not recognised.';
    default:
      return 'Check this and try again.';
  }
}
