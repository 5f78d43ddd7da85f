import { html, type SafeHtml } from '../../http/layout/html.ts';

/** RP-initiated logout: asks before ending the playerpass session (a link alone must not sign anyone out). */
export function logoutConfirm(options: { action: string; xsrf: string; clientName: string | undefined }): SafeHtml {
  return html`<p>${options.clientName ? html`<strong>${options.clientName}</strong> asks to sign you out.` : 'A game or site asks to sign you out.'} Sign out of playerpass on this device?</p>
    <form class="form" method="post" action="${options.action}">
      <input type="hidden" name="xsrf" value="${options.xsrf}">
      <div class="form-actions">
        <button type="submit" class="button" name="logout" value="yes">Sign me out</button>
        <button type="submit" class="button button-secondary">Stay signed in</button>
      </div>
    </form>`;
}

export function loggedOut(): SafeHtml {
  return html`<div class="notice notice-success" role="status">You are signed out.</div><p><a href="/sign-in">Sign in again</a></p>`;
}
