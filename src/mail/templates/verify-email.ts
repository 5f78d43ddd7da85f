import { type Template, field, link, renderLayout } from './layout.ts';

export const verifyEmail: Template = (data, context) =>
  renderLayout(
    {
      subject: `Confirm your email address for ${context.productName}`,
      heading: 'Confirm your email address',
      greet: field(data, 'displayName', 'verify_email'),
      blocks: [
        { paragraph: `Thanks for joining ${context.productName}. Please confirm that this is your email address.` },
        { button: 'Confirm email address', href: link(data, 'link', 'verify_email') },
        { note: 'This link expires in 24 hours. If you did not create an account, you can ignore this email.' },
      ],
    },
    context,
  );
