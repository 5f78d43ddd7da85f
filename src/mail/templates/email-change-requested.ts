import { type Template, field, renderLayout } from './layout.ts';

export const emailChangeRequested: Template = (data, context) =>
  renderLayout(
    {
      subject: `A change of your ${context.productName} email address was requested`,
      heading: 'Email change requested',
      greet: field(data, 'displayName', 'email_change_requested'),
      blocks: [
        { paragraph: `Someone asked to move your ${context.productName} account to a new email address: ${field(data, 'newEmailHint', 'email_change_requested')}. The change happens only once the new address is confirmed.` },
        { paragraph: 'If this was you, there is nothing else to do.' },
        { paragraph: 'If it was not you, reset your password at once:' },
        { button: 'Reset your password', href: `${context.publicUrl}/forgot` },
      ],
    },
    context,
  );
