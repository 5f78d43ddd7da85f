import type { Member } from '../../../domain/member.ts';
import { field, form } from '../../../http/layout/form.ts';
import { html, type SafeHtml } from '../../../http/layout/html.ts';
import { yourDataSection } from '../../export/views/data-section.ts';

export type AccountForm = 'details' | 'email' | 'password';

export interface AccountFormState {
  form: AccountForm;
  values: Record<string, string>;
  errors: Record<string, string>;
  message: string | undefined;
}

export const accountDoneMessages: Record<AccountForm, string> = {
  details: 'Your details are saved.',
  email: 'We have sent a confirmation link to the new address. Your address changes once you open it.',
  password: 'Your password is changed. Your other sessions were signed out.',
};

/**
 * The account page: what we hold about the member, and the three forms that change it — or, while
 * profile changes are switched off, `locked` (the operator's message) where the forms would be.
 */
export function accountPage(csrf: string, member: Member, state?: AccountFormState, locked?: SafeHtml, data: { recentAuth: boolean; exportError?: string | undefined } = { recentAuth: false }): SafeHtml {
  const of = (name: AccountForm) => (state?.form === name ? state : undefined);
  const details = of('details');
  const email = of('email');
  const password = of('password');
  // Lets password managers tell which account the password fields belong to.
  const username = html`<input type="email" name="username" autocomplete="username" value="${member.email}" hidden readonly>`;
  return html`<section aria-labelledby="you">
      <h2 id="you">Your details</h2>
      <dl class="details">
        <dt>Display name</dt><dd>${member.displayName}</dd>
        <dt>Email address</dt><dd>${member.email} ${member.emailVerified ? '' : html`<span class="muted">(not confirmed yet)</span>`}</dd>
        <dt>Date of birth</dt><dd>${member.birthDate}</dd>
      </dl>
      ${locked ?? form({
        action: '/account/details',
        csrfToken: csrf,
        submitLabel: 'Save details',
        error: details?.message,
        fields: [
          field({ name: 'displayName', label: 'Display name', value: details?.values.displayName ?? member.displayName, error: details?.errors.displayName, required: true, maxlength: 24, autocomplete: 'nickname' }),
          field({ name: 'birthDate', label: 'Date of birth', type: 'date', value: details?.values.birthDate ?? member.birthDate, error: details?.errors.birthDate, required: true, autocomplete: 'bday' }),
        ],
      })}
    </section>
    ${locked ? '' : html`<section aria-labelledby="change-email">
      <h2 id="change-email">Change email address</h2>
      ${form({
        action: '/account/email',
        csrfToken: csrf,
        submitLabel: 'Send confirmation link',
        error: email?.message,
        fields: [
          username,
          field({ name: 'newEmail', label: 'New email address', type: 'email', value: email?.values.newEmail, error: email?.errors.newEmail, required: true, autocomplete: 'email' }),
          field({ name: 'currentPassword', label: 'Current password', type: 'password', error: email?.errors.currentPassword, required: true, autocomplete: 'current-password' }),
        ],
      })}
    </section>
    <section aria-labelledby="change-password">
      <h2 id="change-password">Change password</h2>
      ${form({
        action: '/account/password',
        csrfToken: csrf,
        submitLabel: 'Change password',
        error: password?.message,
        fields: [
          username,
          field({ name: 'currentPassword', label: 'Current password', type: 'password', error: password?.errors.currentPassword, required: true, autocomplete: 'current-password' }),
          field({ name: 'newPassword', label: 'New password', type: 'password', hint: 'At least 8 characters. Your other sessions will be signed out.', error: password?.errors.newPassword, required: true, autocomplete: 'new-password', minlength: 8 }),
        ],
      })}
    </section>`}
    ${yourDataSection(csrf, { recentAuth: data.recentAuth, canDelete: !locked, error: data.exportError })}
    <p><a href="/account/sessions">See where you are signed in</a></p>`;
}
