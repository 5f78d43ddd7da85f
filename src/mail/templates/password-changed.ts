import { type Template, field, renderLayout } from './layout.ts';

export const passwordChanged: Template = (data, context) =>
  renderLayout(
    {
      subject: `Your ${context.productName} password was changed`,
      heading: 'Your password was changed',
      greet: field(data, 'displayName', 'password_changed'),
      blocks: [
        { paragraph: `Your password was changed on ${field(data, 'when', 'password_changed')}. All your other sessions have been signed out.` },
        { paragraph: 'If this was you, there is nothing else to do.' },
        { paragraph: 'If it was not you, reset your password at once:' },
        { button: 'Reset your password', href: `${context.publicUrl}/forgot` },
      ],
    },
    context,
  );
