import { type Template, field, renderLayout } from './layout.ts';

/** The last mail to an address: the account behind it is gone, and the address is free again. */
export const accountDeleted: Template = (data, context) =>
  renderLayout(
    {
      subject: `Your ${context.productName} account was deleted`,
      heading: 'Your account was deleted',
      greet: field(data, 'displayName', 'account_deleted'),
      blocks: [
        { paragraph: `Your ${context.productName} account was deleted on ${field(data, 'when', 'account_deleted')}, as you asked.` },
        { paragraph: 'Your name, email address, date of birth, password, sign-in methods and sessions are erased, and the games and sites you signed in to with this account can no longer use it.' },
        { paragraph: 'If you did not ask for this, someone had your password: reply to this mail. You can join again with this address at any time.' },
      ],
    },
    context,
  );
