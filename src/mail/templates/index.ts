import { accountDeleted } from './account-deleted.ts';
import { accountExists } from './account-exists.ts';
import { confirmEmailChange } from './confirm-email-change.ts';
import { emailChangeRequested } from './email-change-requested.ts';
import { emailChanged } from './email-changed.ts';
import { emailInUse } from './email-in-use.ts';
import { incidentNotice } from './incident-notice.ts';
import { type MailContext, type RenderedMail, type Template, TemplateError } from './layout.ts';
import { mfaChanged } from './mfa-changed.ts';
import { newDevice } from './new-device.ts';
import { recoveryCodeUsed } from './recovery-code-used.ts';
import { passwordChanged } from './password-changed.ts';
import { resetPassword } from './reset-password.ts';
import { verifyEmail } from './verify-email.ts';

export { TemplateError, type MailContext, type RenderedMail } from './layout.ts';

const templates: Readonly<Record<string, Template>> = Object.freeze({
  verify_email: verifyEmail,
  account_exists: accountExists,
  reset_password: resetPassword,
  password_changed: passwordChanged,
  confirm_email_change: confirmEmailChange,
  email_change_requested: emailChangeRequested,
  email_in_use: emailInUse,
  email_changed: emailChanged,
  new_device: newDevice,
  incident_notice: incidentNotice,
  mfa_changed: mfaChanged,
  recovery_code_used: recoveryCodeUsed,
  account_deleted: accountDeleted,
});

export const templateNames: readonly string[] = Object.keys(templates);

/** Renders a queued mail. Throws a TemplateError for an unknown template or missing data. */
export function renderMail(template: string, data: Record<string, string>, context: MailContext): RenderedMail {
  const render = Object.hasOwn(templates, template) ? templates[template] : undefined;
  if (!render) throw new TemplateError(`unknown mail template "${template}"`);
  return render(data, context);
}
