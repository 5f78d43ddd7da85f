import { type Template, field, link, renderLayout } from './layout.ts';

export const resetPassword: Template = (data, context) =>
  renderLayout(
    {
      subject: `Reset your ${context.productName} password`,
      heading: 'Reset your password',
      greet: field(data, 'displayName', 'reset_password'),
      blocks: [
        { paragraph: 'We received a request to reset your password. Choose a new one with the link below.' },
        { button: 'Choose a new password', href: link(data, 'link', 'reset_password') },
        { note: 'This link is valid for 30 minutes. If you did not ask for it, ignore this email: your password has not been changed.' },
      ],
    },
    context,
  );
