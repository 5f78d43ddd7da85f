import { html, type SafeHtml } from './html.ts';

export interface PageOptions {
  title: string;
  body: SafeHtml;
  member?: { displayName: string } | undefined;
  notice?: { kind: 'info' | 'success' | 'error'; text: string } | undefined;
  csrfToken?: string;
  /** Script files under /assets/ the page needs (never inline: the CSP allows 'self' only). */
  scripts?: readonly string[] | undefined;
}

function nav(member: PageOptions['member'], csrfToken: string | undefined): SafeHtml {
  if (!member) {
    return html`<nav class="site-nav" aria-label="Main">
        <ul>
          <li><a href="/join">Join</a></li>
          <li><a href="/sign-in">Sign in</a></li>
        </ul>
      </nav>`;
  }
  return html`<nav class="site-nav" aria-label="Main">
        <ul>
          <li class="nav-member">Signed in as <strong>${member.displayName}</strong></li>
          <li><a href="/account">Account</a></li>
          <li><a href="/account/sessions">Sessions</a></li>
          <li><a href="/account/security">Security</a></li>
          <li>
            <form class="sign-out" method="post" action="/sign-out">
              <input type="hidden" name="_csrf" value="${csrfToken ?? ''}">
              <button type="submit" class="link-button">Sign out</button>
            </form>
          </li>
        </ul>
      </nav>`;
}

function noticeBox(notice: PageOptions['notice']): SafeHtml | undefined {
  if (!notice) return undefined;
  const role = notice.kind === 'error' ? 'alert' : 'status';
  return html`<div class="notice notice-${notice.kind}" role="${role}">${notice.text}</div>`;
}

/** A complete HTML5 document with the shared header, navigation, notice box and footer. */
export function renderPage(options: PageOptions): string {
  const { title, body, member, notice, csrfToken, scripts = [] } = options;
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="color-scheme" content="light dark">
    <title>${title} · playerpass</title>
    <link rel="stylesheet" href="/assets/playerpass.css">
    ${scripts.map((src) => html`<script src="${src}" defer></script>
`)}
  </head>
  <body>
    <a class="skip-link" href="#main">Skip to main content</a>
    <header class="site-header">
      <a class="brand" href="/">playerpass</a>
      ${nav(member, csrfToken)}
    </header>
    <main id="main" tabindex="-1">
      <h1>${title}</h1>
      ${noticeBox(notice)}
      ${body}
    </main>
    <footer class="site-footer">
      <p>playerpass — one account for every game. <a href="/status">Service status</a></p>
    </footer>
  </body>
</html>
`.value;
}
