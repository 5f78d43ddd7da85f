import { field } from '../../../http/layout/form.ts';
import { html, type SafeHtml } from '../../../http/layout/html.ts';

export interface MfaStepView {
  /** Where the form posts: /sign-in/mfa, or an OIDC interaction's own step. */
  action: string;
  csrf: string;
  challengeId: string;
  methods: readonly string[];
  passkeyOptions: unknown;
  error?: string | undefined;
  codeError?: string | undefined;
}

/**
 * The second sign-in step: one field that takes an authenticator code or a recovery code, and (with
 * the passkeys script) a passkey button. The challenge id rides along in a hidden field.
 */
export function mfaStep(view: MfaStepView): SafeHtml {
  const totp = view.methods.includes('totp');
  const recovery = view.methods.includes('recovery_code');
  const label = totp ? (recovery ? 'Code from your authenticator app, or a recovery code' : 'Code from your authenticator app') : 'Recovery code';
  const passkey = view.methods.includes('passkey') && view.passkeyOptions !== undefined;
  return html`<p>Your account is protected by a second step. ${passkey ? 'Use your passkey, or enter a code.' : 'Enter a code to finish signing in.'}</p>
    <form class="form" method="post" action="${view.action}">
      <input type="hidden" name="_csrf" value="${view.csrf}">
      <input type="hidden" name="challengeId" value="${view.challengeId}">
      <input type="hidden" name="passkey" value="">
      ${view.error ? html`<div class="notice notice-error" role="alert">${view.error}</div>` : ''}
      ${passkey
        ? html`<div class="passkey-step" hidden>
        <button type="button" class="button" data-passkey-options="${JSON.stringify(view.passkeyOptions)}">Use a passkey</button>
        <p class="passkey-error notice notice-error" role="alert" hidden></p>
      </div>`
        : ''}
      ${field({ name: 'code', label, error: view.codeError, autocomplete: 'one-time-code', required: true, maxlength: 40, hint: recovery ? 'Lost your app or passkey? Each recovery code works once.' : undefined })}
      <div class="form-actions">
        <button type="submit" class="button">Continue</button>
      </div>
    </form>
    <p><a href="/sign-in">Start again</a></p>`;
}
