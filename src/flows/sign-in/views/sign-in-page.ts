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
  })}<p><a href="/forgot">Forgot your password?</a> · New here? <a href="/join">Join playerpass</a>.</p>`;
}

export function signOutForm(csrf: string): SafeHtml {
  return html`<p>Sign out of playerpass on this device?</p>${form({ action: '/sign-out', csrfToken: csrf, submitLabel: 'Sign out', fields: [] })}`;
}
