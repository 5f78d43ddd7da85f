import { form } from '../../../http/layout/form.ts';
import { html, type SafeHtml } from '../../../http/layout/html.ts';
import type { SessionView } from '../service.ts';

export function sessionsPage(csrf: string, sessions: SessionView[]): SafeHtml {
  const rows = sessions.map(
    (s) => html`<tr>
      <td>${s.device ?? 'Unknown device'}${s.current ? html` <strong>(this device)</strong>` : ''}</td>
      <td>${s.ipPrefix ?? ''}</td>
      <td><time datetime="${s.createdAt}">${s.createdAt.slice(0, 16).replace('T', ' ')}</time></td>
      <td><time datetime="${s.lastSeenAt}">${s.lastSeenAt.slice(0, 16).replace('T', ' ')}</time></td>
      <td>${s.current ? '' : form({ action: `/account/sessions/${encodeURIComponent(s.id)}/revoke`, csrfToken: csrf, submitLabel: 'Sign out', fields: [] })}</td>
    </tr>`,
  );
  return html`<table class="table">
      <caption>Where you are signed in (times in UTC)</caption>
      <thead><tr><th scope="col">Device</th><th scope="col">Network</th><th scope="col">Signed in</th><th scope="col">Last seen</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
      <tbody>${rows}</tbody>
    </table>
    ${sessions.length > 1 ? form({ action: '/account/sessions/revoke-others', csrfToken: csrf, submitLabel: 'Sign out everywhere else', fields: [] }) : ''}
    <p><a href="/account">Back to your account</a></p>`;
}
