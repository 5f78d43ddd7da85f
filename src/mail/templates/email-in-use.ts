import { type Template, link, renderLayout } from './layout.ts';

export const emailInUse: Template = (data, context) =>
  renderLayout(
    {
      subject: `This address already has a ${context.productName} account`,
      heading: 'This address is already in use',
      blocks: [
        { paragraph: `Someone tried to move a ${context.productName} account to this email address, but the address already belongs to an account. Nothing has changed.` },
        { paragraph: 'If the account with this address is yours, you can sign in here:' },
        { button: 'Sign in', href: link(data, 'signInLink', 'email_in_use') },
        { note: 'If you did not expect this email, you can ignore it.' },
      ],
    },
    context,
  );
