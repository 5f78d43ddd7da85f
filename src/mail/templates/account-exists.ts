import { type Template, field, link, renderLayout } from './layout.ts';

export const accountExists: Template = (data, context) =>
  renderLayout(
    {
      subject: `You already have a ${context.productName} account`,
      heading: 'You already have an account',
      greet: field(data, 'displayName', 'account_exists'),
      blocks: [
        { paragraph: `Someone tried to create a new ${context.productName} account with this email address, but it already belongs to your account.` },
        { paragraph: 'If that was you, sign in instead, or reset your password if you have forgotten it.' },
        { button: 'Sign in', href: link(data, 'signInLink', 'account_exists') },
        { button: 'Reset your password', href: link(data, 'resetLink', 'account_exists') },
        { note: 'If it was not you, you can ignore this email. Nothing has changed on your account.' },
      ],
    },
    context,
  );
