import { field } from '../../../http/layout/form.ts';
import { html, type SafeHtml } from '../../../http/layout/html.ts';

/**
 * The account page's "Your data" section: download everything (a form post that answers with the
 * file), and the way to the deletion page. The password field shows only when the sign-in is not
 * recent; `canDelete` is false while profile changes are read-only.
 */
export function yourDataSection(csrf: string, options: { recentAuth: boolean; canDelete: boolean; error?: string | undefined }): SafeHtml {
  return html`<section aria-labelledby="your-data">
      <h2 id="your-data">Your data</h2>
      <p>Download everything playerpass holds about you — your details, sessions, sign-in methods, the games you signed in to and the security log of your account — as one JSON file.</p>
      <form class="form" method="post" action="/account/export">
        <input type="hidden" name="_csrf" value="${csrf}">
        ${options.error ? html`<div class="notice notice-error" role="alert">${options.error}</div>` : ''}
        ${options.recentAuth ? '' : field({ name: 'password', label: 'Your password', type: 'password', hint: 'You signed in more than 10 minutes ago: confirm it is you.', autocomplete: 'current-password' })}
        <div class="form-actions">
          <button type="submit" class="button">Download your data</button>
        </div>
      </form>
      ${options.canDelete ? html`<p><a href="/account/delete">Delete your account</a></p>` : ''}
    </section>`;
}
