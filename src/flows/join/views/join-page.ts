import { field, form } from '../../../http/layout/form.ts';
import { html, type SafeHtml } from '../../../http/layout/html.ts';

export function joinForm(csrf: string, values: Record<string, string> = {}, errors: Record<string, string> = {}, message?: string): SafeHtml {
  return html`${form({
    action: '/join',
    csrfToken: csrf,
    submitLabel: 'Create my account',
    error: message,
    fields: [
      field({ name: 'displayName', label: 'Display name', hint: '3 to 24 characters. Other players see it.', value: values.displayName, error: errors.displayName, autocomplete: 'nickname', required: true, maxlength: 24 }),
      field({ name: 'email', label: 'Email address', type: 'email', value: values.email, error: errors.email, autocomplete: 'email', required: true }),
      field({ name: 'birthDate', label: 'Date of birth', type: 'date', value: values.birthDate, error: errors.birthDate, autocomplete: 'bday', required: true }),
      field({ name: 'password', label: 'Password', type: 'password', hint: 'At least 8 characters; 15 or more is best until you add a second factor. A phrase of your own works well.', error: errors.password, autocomplete: 'new-password', required: true, minlength: 8 }),
    ],
  })}<p>Already have an account? <a href="/sign-in">Sign in</a>.</p>`;
}

export function joinDone(): SafeHtml {
  return html`<p>We have sent a link to your email address. Open it to confirm your address, then sign in.</p>
    <p class="muted">No mail after a few minutes? Check your spam folder, or <a href="/sign-in">sign in</a> to get a new link.</p>`;
}
