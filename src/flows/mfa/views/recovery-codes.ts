import { html, type SafeHtml } from '../../../http/layout/html.ts';

/** The recovery codes, shown this once. */
export function recoveryCodesPage(codes: readonly string[], intro: string): SafeHtml {
  return html`<p>${intro}</p>
    <p><strong>Save these recovery codes now</strong> — in a password manager, or printed and kept safe. We show them only this once. Each code signs you in once if you lose your authenticator app and passkeys.</p>
    <ul class="recovery-codes" aria-label="Recovery codes">${codes.map((code) => html`<li><code>${code}</code></li>`)}</ul>
    <p><a class="button" href="/account/security">I have saved them</a></p>`;
}
