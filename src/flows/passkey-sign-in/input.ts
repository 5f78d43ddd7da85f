import { Type, type Static } from 'typebox';

export const PasskeySignInOptionsReply = Type.Object({
  challengeId: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  options: Type.Object({}, { additionalProperties: true, description: 'PublicKeyCredentialRequestOptionsJSON for navigator.credentials.get() (discoverable credentials, user verification required)' }),
});

export const PasskeySignInBody = Type.Object(
  {
    challengeId: Type.String({ maxLength: 100 }),
    response: Type.Object({}, { additionalProperties: true, description: 'The AuthenticationResponseJSON from navigator.credentials.get()' }),
  },
  { additionalProperties: false },
);
export type PasskeySignInInput = Static<typeof PasskeySignInBody>;
