import { type Template, field, link, renderLayout } from './layout.ts';

export const newDevice: Template = (data, context) =>
  renderLayout(
    {
      subject: `New sign-in to your ${context.productName} account`,
      heading: 'A new device signed in to your account',
      greet: field(data, 'displayName', 'new_device'),
      blocks: [
        { paragraph: `When: ${field(data, 'when', 'new_device')}` },
        { paragraph: `Network: ${field(data, 'network', 'new_device')} (approximate)` },
        { paragraph: `Device: ${field(data, 'device', 'new_device')}` },
        { paragraph: 'If this was you, there is nothing to do.' },
        { paragraph: 'If it was not you, press the button: we will sign out every session and ask for a new password.' },
        { button: 'This was not me', href: link(data, 'notMeLink', 'new_device') },
      ],
    },
    context,
  );
