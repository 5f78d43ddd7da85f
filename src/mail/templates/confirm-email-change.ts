import { type Template, field, link, renderLayout } from './layout.ts';

export const confirmEmailChange: Template = (data, context) =>
  renderLayout(
    {
      subject: `Confirm your new email address for ${context.productName}`,
      heading: 'Confirm your new email address',
      greet: field(data, 'displayName', 'confirm_email_change'),
      blocks: [
        { paragraph: `Please confirm that you want to use this address for your ${context.productName} account.` },
        { button: 'Confirm new address', href: link(data, 'link', 'confirm_email_change') },
        { note: 'Until you confirm, your account keeps its current address. If you did not ask for this, you can ignore this email.' },
      ],
    },
    context,
  );
