import { field, form } from '../../../http/layout/form.ts';
import { html, type SafeHtml } from '../../../http/layout/html.ts';

export interface DeletePageState {
  error: string | undefined;
  fieldError: string | undefined;
}

/** The warning, then one form: the password (or, for a passkey-only account, a recent sign-in). */
export function deletePage(csrf: string, options: { email: string; hasPassword: boolean; recentAuth: boolean; state?: DeletePageState }): SafeHtml {
  const warning = html`<div class="notice notice-error" role="note">
      <p><strong>This cannot be undone.</strong> Deleting your account erases your name, email address, date of birth, password, sign-in methods and sessions at once. You are signed out everywhere, and the games and sites you signed in to with playerpass lose access to it.</p>
      <p>We keep only a security log that names no one. You can <a href="/account">download your data</a> first.</p>
    </div>`;
  if (!options.hasPassword && !options.recentAuth) {
    return html`${warning}<p>Your account has no password: sign out, sign in again with your passkey, and come back here within 10 minutes.</p>
      <p><a href="/account">Keep my account</a></p>`;
  }
  const username = html`<input type="email" name="username" autocomplete="username" value="${options.email}" hidden readonly>`;
  return html`${warning}
    ${form({
      action: '/account/delete',
      csrfToken: csrf,
      submitLabel: 'Delete my account for good',
      error: options.state?.error,
      fields: options.hasPassword
        ? [username, field({ name: 'currentPassword', label: 'Your password', type: 'password', hint: 'To confirm it is you.', error: options.state?.fieldError, required: true, autocomplete: 'current-password' })]
        : [],
    })}
    <p><a href="/account">Keep my account</a></p>`;
}

export function deletedPage(): SafeHtml {
  return html`<p>Your playerpass account is deleted. We have sent a last mail to your address to confirm it.</p>
    <p>You are welcome back at any time: <a href="/join">join again</a>.</p>`;
}
