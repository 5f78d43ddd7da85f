import { html, type SafeHtml } from '../../http/layout/html.ts';

/** An OAuth error that cannot go back to the client (unknown client, unregistered redirect URI, …). */
export function oauthErrorPage(error: string, description: string | undefined): SafeHtml {
  return html`<p>The game or site that sent you here made a request playerpass cannot accept, so you were not sent back to it.</p>
    ${description ? html`<p>${description}</p>` : ''}
    <p class="muted">Error code: <code>${error}</code></p>
    <p><a href="/">Go to playerpass</a></p>`;
}
