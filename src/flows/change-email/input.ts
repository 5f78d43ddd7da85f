import { Type, type Static } from 'typebox';

export const ChangeEmailBody = Type.Object(
  { newEmail: Type.String({ maxLength: 320 }), currentPassword: Type.String({ maxLength: 1024 }) },
  { additionalProperties: false },
);
export type ChangeEmailInput = Static<typeof ChangeEmailBody>;
