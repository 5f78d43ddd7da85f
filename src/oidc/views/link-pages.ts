import { html, type SafeHtml } from '../../http/layout/html.ts';

export const LINK_WARNING = 'Only enter a code shown on your own screen. Never enter a code someone sent you.';

function warning(): SafeHtml {
  return html`<div class="notice notice-error" role="note"><strong>Careful:</strong> ${LINK_WARNING}</div>`;
}

/** /link: the code entry form. `xsrf` is oidc-provider's form token, bound to this browser's session. */
export function linkInput(options: { xsrf: string; code?: string | undefined; error?: string | undefined }): SafeHtml {
  return html`<p>Your console, TV or game shows a code. Enter it here to sign it in to your playerpass account.</p>
    ${warning()}
    <form class="form" method="post" action="/link">
      <input type="hidden" name="xsrf" value="${options.xsrf}">
      ${options.error ? html`<div class="notice notice-error" role="alert">${options.error}</div>` : ''}
      <div class="field${options.error ? ' field-invalid' : ''}">
        <label for="field-user_code">Code</label>
        <p class="field-hint" id="field-user_code-hint">Eight letters, like BCDF-GHJK.</p>
        <input id="field-user_code" name="user_code" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="20" required aria-describedby="field-user_code-hint"${
          options.code ? html` value="${options.code}"` : ''
        }${options.error ? html` aria-invalid="true"` : ''}>
      </div>
      <div class="form-actions"><button type="submit" class="button">Continue</button></div>
    </form>`;
}

/** The second step: which client asks, the code again, Allow or Cancel. */
export function linkConfirm(options: { xsrf: string; userCode: string; clientName: string; requestedFrom: string | undefined }): SafeHtml {
  return html`<p><strong>${options.clientName}</strong> is asking to sign in with your playerpass account.</p>
    <p>Check that this code is the one on your screen: <code class="user-code">${options.userCode}</code></p>
    ${options.requestedFrom ? html`<p class="muted">Requested from a device at ${options.requestedFrom}.</p>` : ''}
    ${warning()}
    <form class="form" method="post" action="/link">
      <input type="hidden" name="xsrf" value="${options.xsrf}">
      <input type="hidden" name="user_code" value="${options.userCode}">
      <div class="form-actions">
        <button type="submit" class="button" name="confirm" value="yes">Continue</button>
        <button type="submit" class="button button-secondary" name="abort" value="yes">Cancel, this is not mine</button>
      </div>
    </form>`;
}

export function linkDone(clientName: string | undefined): SafeHtml {
  return html`<div class="notice notice-success" role="status">${clientName ? html`<strong>${clientName}</strong> is` : 'Your device is'} now signed in. You can close this page.</div>`;
}
