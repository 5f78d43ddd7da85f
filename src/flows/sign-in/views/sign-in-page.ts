import { field, form } from '../../../http/layout/form.ts';
import { html, type SafeHtml } from '../../../http/layout/html.ts';

export function signInForm(csrf: string, values: Record<string, string> = {}, errors: Record<string, string> = {}, message?: string): SafeHtml {
  return html`${form({
    action: '/sign-in',
    csrfToken: csrf,
    submitLabel: 'Sign in',
    error: message,
    fields: [
      field({ name: 'email', label: 'Email address', type: 'email', value: values.email, error: errors.email, autocomplete: 'username', required: true }),
      field({ name: 'password', label: 'Password', type: 'password', error: errors.password, autocomplete: 'current-password', required: true }),
    ],
  })}${passkeySignInForm(csrf)}<p><a href="/forgot">Forgot your password?</a> · New here? <a href="/join">Join playerpass</a>.</p>`;
}

/** Shown by the passkeys script only (WebAuthn needs it): a passwordless sign-in with a passkey. */
export function passkeySignInForm(csrf: string): SafeHtml {
  return html`<form class="form passkey-sign-in" method="post" action="/sign-in/passkey" hidden data-passkey-sign-in data-options-url="/api/v1/passkey-sign-ins">
      <input type="hidden" name="_csrf" value="${csrf}">
      <input type="hidden" name="challengeId" value="">
      <input type="hidden" name="response" value="">
      <p class="passkey-error notice notice-error" role="alert" hidden></p>
      <div class="form-actions">
        <button type="button" class="button button-secondary">Sign in with a passkey</button>
      </div>
    </form>`;
}

export function signOutForm(csrf: string): SafeHtml {
  return html`<p>Sign out of playerpass on this device?</p>${form({ action: '/sign-out', csrfToken: csrf, submitLabel: 'Sign out', fields: [] })}`;
}
