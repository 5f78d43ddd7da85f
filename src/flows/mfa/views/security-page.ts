import { field, form } from '../../../http/layout/form.ts';
import { html, type SafeHtml } from '../../../http/layout/html.ts';
import type { PasskeyView } from '../passkeys.ts';
import type { MfaStatus } from '../service.ts';

export interface SecurityPageView {
  csrf: string;
  email: string;
  status: MfaStatus;
  passkeys: PasskeyView[];
  /** Signed in (or password confirmed) within the last 10 minutes: factors may change. */
  recent: boolean;
  confirmError?: string | undefined;
}

export const securityDoneMessages: Record<string, string> = {
  confirmed: 'Thanks. You can change your sign-in methods for the next 10 minutes.',
  totp: 'Your authenticator app is on.',
  totp_removed: 'The authenticator app is removed.',
  passkey: 'Your passkey is added.',
  passkey_renamed: 'The passkey is renamed.',
  passkey_removed: 'The passkey is removed.',
};

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : 'never');

/** Sign-in methods: the authenticator app, passkeys and recovery codes, and what changes them. */
export function securityPage(view: SecurityPageView): SafeHtml {
  const { csrf, status, passkeys, recent } = view;
  const summary = status.enabled
    ? html`<p>Two-step sign-in is <strong>on</strong>: after your password, we ask for your authenticator app, a passkey or a recovery code.</p>`
    : html`<p>Two-step sign-in is <strong>off</strong>. Add an authenticator app or a passkey, so a stolen password is not enough to get into your account.</p>`;
  const confirm = html`<section aria-labelledby="confirm">
      <h2 id="confirm">Confirm it is you</h2>
      <p>Changing how you sign in needs a recent sign-in. Enter your password to continue.</p>
      ${form({
        action: '/account/security/confirm',
        csrfToken: csrf,
        submitLabel: 'Confirm password',
        error: view.confirmError,
        fields: [
          html`<input type="email" name="username" autocomplete="username" value="${view.email}" hidden readonly>`,
          field({ name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' }),
        ],
      })}
    </section>`;
  const totp = html`<section aria-labelledby="totp">
      <h2 id="totp">Authenticator app</h2>
      ${status.totp === 'on'
        ? html`<p>On. Your app shows a new 6-digit code every 30 seconds.</p>${recent ? form({ action: '/account/security/totp/remove', csrfToken: csrf, submitLabel: 'Remove authenticator app', fields: [] }) : ''}`
        : html`<p>Off. Use an app such as Aegis, Google Authenticator or 1Password.</p>${recent ? form({ action: '/account/security/totp', csrfToken: csrf, submitLabel: 'Set up an authenticator app', fields: [] }) : ''}`}
    </section>`;
  const passkeyRows = passkeys.map(
    (p) => html`<tr>
          <td>${p.name}</td>
          <td>${day(p.createdAt)}</td>
          <td>${day(p.lastUsedAt)}</td>
          <td>
            <form class="inline-form" method="post" action="/account/security/passkeys/${p.id}/rename">
              <input type="hidden" name="_csrf" value="${csrf}">
              <label class="visually-hidden" for="rename-${p.id}">New name for ${p.name}</label>
              <input id="rename-${p.id}" name="name" value="${p.name}" maxlength="64" required>
              <button type="submit" class="link-button">Rename</button>
            </form>
            ${recent
              ? html`<form class="inline-form" method="post" action="/account/security/passkeys/${p.id}/remove">
              <input type="hidden" name="_csrf" value="${csrf}">
              <button type="submit" class="link-button">Remove ${p.name}</button>
            </form>`
              : ''}
          </td>
        </tr>`,
  );
  const passkeySection = html`<section aria-labelledby="passkeys">
      <h2 id="passkeys">Passkeys</h2>
      <p>A passkey signs you in with your fingerprint, face or device PIN — with no password at all, or as the second step.</p>
      ${passkeys.length > 0
        ? html`<table class="passkeys">
        <thead><tr><th scope="col">Name</th><th scope="col">Added</th><th scope="col">Last used</th><th scope="col">Change</th></tr></thead>
        <tbody>${passkeyRows}</tbody>
      </table>`
        : html`<p class="muted">No passkeys yet.</p>`}
      ${recent
        ? html`<form class="form" method="post" action="/account/security/passkeys" hidden data-passkey-register data-options-url="/account/security/passkeys/options">
        <input type="hidden" name="_csrf" value="${csrf}">
        <input type="hidden" name="challengeId" value="">
        <input type="hidden" name="response" value="">
        <p class="passkey-error notice notice-error" role="alert" hidden></p>
        ${field({ name: 'name', label: 'Name for the new passkey', hint: 'So you can tell your passkeys apart, e.g. "Work laptop".', maxlength: 64, autocomplete: 'off' })}
        <div class="form-actions"><button type="submit" class="button">Add a passkey</button></div>
      </form>`
        : ''}
    </section>`;
  const recovery = status.enabled
    ? html`<section aria-labelledby="recovery">
      <h2 id="recovery">Recovery codes</h2>
      <p>${status.recoveryCodesLeft} of 10 recovery codes left. Each one signs you in once if you lose your app and passkeys.</p>
      ${recent ? form({ action: '/account/security/recovery-codes', csrfToken: csrf, submitLabel: 'Make new recovery codes', fields: [] }) : ''}
    </section>`
    : '';
  return html`${summary}${recent ? '' : confirm}${totp}${passkeySection}${recovery}<p><a href="/account">Back to your account</a></p>`;
}
