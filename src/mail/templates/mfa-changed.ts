import { type Template, field, renderLayout } from './layout.ts';

/** NIST SP 800-63B §4.6: every second factor added or removed is told to the member. */
export const mfaChanged: Template = (data, context) =>
  renderLayout(
    {
      subject: `Your ${context.productName} sign-in methods changed`,
      heading: 'Your sign-in methods changed',
      greet: field(data, 'displayName', 'mfa_changed'),
      blocks: [
        { paragraph: `${field(data, 'change', 'mfa_changed')} on ${field(data, 'when', 'mfa_changed')}.` },
        { paragraph: 'If this was you, there is nothing else to do.' },
        { paragraph: 'If it was not you, someone may be in your account: change your password at once and check your sign-in methods.' },
        { button: 'Check your account security', href: `${context.publicUrl}/account/security` },
      ],
    },
    context,
  );
