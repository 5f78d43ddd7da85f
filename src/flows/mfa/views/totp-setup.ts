import { field, form } from '../../../http/layout/form.ts';
import { html, type SafeHtml } from '../../../http/layout/html.ts';
import type { TotpEnrolment } from '../totp.ts';

/** Scan (or type) the secret, then prove it works with the first code. */
export function totpSetupPage(csrf: string, enrolment: TotpEnrolment, codeError?: string): SafeHtml {
  const image = `data:image/svg+xml;base64,${Buffer.from(enrolment.qrSvg, 'utf8').toString('base64')}`;
  return html`<ol>
      <li>Open your authenticator app and add an account.</li>
      <li>Scan this QR code:
        <p><img class="qr-code" src="${image}" alt="QR code with your playerpass secret for the authenticator app" width="192" height="192"></p>
        or type this key: <p><code class="secret" data-secret>${enrolment.secret.replace(/(.{4})/g, '$1 ').trim()}</code></p>
      </li>
      <li>Enter the 6-digit code the app shows.</li>
    </ol>
    ${form({
      action: '/account/security/totp/confirm',
      csrfToken: csrf,
      submitLabel: 'Turn on',
      fields: [field({ name: 'code', label: 'Code from the app', error: codeError, required: true, autocomplete: 'one-time-code', maxlength: 12 })],
    })}
    <p><a href="/account/security">Cancel</a></p>`;
}
