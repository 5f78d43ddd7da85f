import { field, form } from '../../http/layout/form.ts';
import { html, type SafeHtml } from '../../http/layout/html.ts';
import { scopeInWords } from '../scopes.ts';

/** Sign-in inside an authorization request: the same email + password as /sign-in, for a named client. */
export function interactionSignIn(options: {
  uid: string;
  clientName: string;
  csrf: string;
  email?: string;
  errors?: Record<string, string>;
  message?: string | undefined;
}): SafeHtml {
  const { uid, clientName, csrf, errors = {} } = options;
  return html`<p><strong>${clientName}</strong> asks you to sign in with your playerpass account.</p>
    ${form({
      action: `/interaction/${uid}/login`,
      csrfToken: csrf,
      submitLabel: 'Sign in',
      error: options.message,
      fields: [
        field({ name: 'email', label: 'Email address', type: 'email', value: options.email, error: errors.email, autocomplete: 'username', required: true }),
        field({ name: 'password', label: 'Password', type: 'password', error: errors.password, autocomplete: 'current-password', required: true }),
      ],
    })}
    ${cancelForm(uid, csrf, `Cancel and go back to ${clientName}`)}
    <p><a href="/forgot">Forgot your password?</a> · New here? <a href="/join">Join playerpass</a>.</p>`;
}

/** The consent page: what the client gets, in plain words, with Allow and Deny. */
export function consentPage(options: { uid: string; clientName: string; csrf: string; scopes: string[] }): SafeHtml {
  const { uid, clientName, csrf, scopes } = options;
  return html`<p><strong>${clientName}</strong> would like to:</p>
    <ul class="scopes">${scopes.map((scope) => html`<li data-scope="${scope}">${scopeInWords(scope)}</li>`)}</ul>
    <p>You can sign out of ${clientName} at any time; it keeps only what you allow here.</p>
    <form class="form" method="post" action="/interaction/${uid}/consent">
      <input type="hidden" name="_csrf" value="${csrf}">
      <div class="form-actions">
        <button type="submit" class="button" name="decision" value="allow">Allow</button>
        <button type="submit" class="button button-secondary" name="decision" value="deny">Deny</button>
      </div>
    </form>`;
}

function cancelForm(uid: string, csrf: string, label: string): SafeHtml {
  return html`<form method="post" action="/interaction/${uid}/abort">
      <input type="hidden" name="_csrf" value="${csrf}">
      <button type="submit" class="link-button">${label}</button>
    </form>`;
}
