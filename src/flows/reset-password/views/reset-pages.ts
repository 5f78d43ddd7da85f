import { field, form } from '../../../http/layout/form.ts';
import { html, type SafeHtml } from '../../../http/layout/html.ts';

export function forgotForm(csrf: string, values: Record<string, string> = {}, errors: Record<string, string> = {}, message?: string): SafeHtml {
  return html`<p>Enter your email address and we will send you a link to choose a new password.</p>${form({
    action: '/forgot',
    csrfToken: csrf,
    submitLabel: 'Send me a link',
    error: message,
    fields: [field({ name: 'email', label: 'Email address', type: 'email', value: values.email, error: errors.email, autocomplete: 'email', required: true })],
  })}`;
}

export function forgotDone(): SafeHtml {
  return html`<p>If an account uses that address, we have sent it a link. It works for 30 minutes.</p><p><a href="/sign-in">Back to sign in</a></p>`;
}

export function resetForm(csrf: string, token: string, errors: Record<string, string> = {}, message?: string): SafeHtml {
  return form({
    action: '/reset',
    csrfToken: csrf,
    submitLabel: 'Set new password',
    error: message,
    fields: [
      field({ name: 'token', label: '', type: 'hidden', value: token }),
      field({ name: 'newPassword', label: 'New password', type: 'password', hint: 'At least 8 characters. Every session will be signed out.', error: errors.newPassword, autocomplete: 'new-password', required: true, minlength: 8 }),
    ],
  });
}

export function resetDone(): SafeHtml {
  return html`<p>Your password is changed and every session was signed out. <a href="/sign-in">Sign in</a> with your new password.</p>`;
}
