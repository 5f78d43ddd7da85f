import { type Template, field, renderLayout } from './layout.ts';

export const recoveryCodeUsed: Template = (data, context) =>
  renderLayout(
    {
      subject: `A recovery code was used for your ${context.productName} account`,
      heading: 'A recovery code was used',
      greet: field(data, 'displayName', 'recovery_code_used'),
      blocks: [
        { paragraph: `One of your recovery codes was used to sign in on ${field(data, 'when', 'recovery_code_used')}. Each code works once; ${field(data, 'remaining', 'recovery_code_used')} are left.` },
        { paragraph: 'If you have lost your authenticator app or passkey, set up a new one and make new recovery codes.' },
        { paragraph: 'If it was not you, change your password and make new recovery codes at once: the old ones stop working.' },
        { button: 'Check your account security', href: `${context.publicUrl}/account/security` },
      ],
    },
    context,
  );
