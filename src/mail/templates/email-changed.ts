import { type Template, field, renderLayout } from './layout.ts';

export const emailChanged: Template = (data, context) =>
  renderLayout(
    {
      subject: `Your ${context.productName} email address was changed`,
      heading: 'Your email address was changed',
      greet: field(data, 'displayName', 'email_changed'),
      blocks: [
        { paragraph: `Your ${context.productName} account now uses a new email address: ${field(data, 'newEmailHint', 'email_changed')}. We will no longer send mail about your account to this address.` },
        { paragraph: 'If this was not you, reset your password at once:' },
        { button: 'Reset your password', href: `${context.publicUrl}/forgot` },
      ],
    },
    context,
  );
