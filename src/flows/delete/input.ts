import { Type, type Static } from 'typebox';

export const DeleteAccountBody = Type.Object(
  {
    currentPassword: Type.Optional(Type.String({ maxLength: 1024, description: 'Required when the account has a password; an account with passkeys only needs a sign-in within the last 10 minutes instead.' })),
  },
  { additionalProperties: false },
);
export type DeleteAccountInput = Static<typeof DeleteAccountBody>;

export const deleteFormFields = ['currentPassword'] as const;
