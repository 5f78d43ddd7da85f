import { Type, type Static } from 'typebox';

export const SignInBody = Type.Object(
  { email: Type.String({ maxLength: 320 }), password: Type.String({ maxLength: 1024 }) },
  { additionalProperties: false },
);
export type SignInInput = Static<typeof SignInBody>;

export const SignInReply = Type.Object({
  token: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  member: Type.Object({ id: Type.String(), displayName: Type.String() }),
});
