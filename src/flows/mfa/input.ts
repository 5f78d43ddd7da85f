import { Type, type Static } from 'typebox';

export const MfaStatusReply = Type.Object({
  enabled: Type.Boolean({ description: 'True once an authenticator app or a passkey is set up: sign-in then asks for a second factor' }),
  totp: Type.Union([Type.Literal('off'), Type.Literal('pending'), Type.Literal('on')]),
  passkeys: Type.Integer(),
  recoveryCodesLeft: Type.Integer(),
});

export const ReauthenticateBody = Type.Object({ password: Type.String({ maxLength: 1024 }) }, { additionalProperties: false });
export type ReauthenticateInput = Static<typeof ReauthenticateBody>;

export const TotpEnrolmentReply = Type.Object({
  secret: Type.String({ description: 'Base32 secret, for typing into the app by hand' }),
  uri: Type.String({ description: 'The otpauth:// URI the QR code holds' }),
  qrSvg: Type.String({ description: 'The QR code as an SVG document' }),
});

export const TotpConfirmBody = Type.Object({ code: Type.String({ maxLength: 12 }) }, { additionalProperties: false });
export type TotpConfirmInput = Static<typeof TotpConfirmBody>;

const RecoveryCodes = Type.Array(Type.String(), { description: 'Ten single-use recovery codes, shown this once' });

export const TotpConfirmReply = Type.Object({ recoveryCodes: Type.Optional(RecoveryCodes) }, { description: 'recoveryCodes when this was the first second factor' });
export const RecoveryCodesReply = Type.Object({ recoveryCodes: RecoveryCodes });

export const PasskeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  backedUp: Type.Boolean(),
});

export const PasskeyOptionsReply = Type.Object({
  challengeId: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  options: Type.Object({}, { additionalProperties: true, description: 'PublicKeyCredentialCreationOptionsJSON for navigator.credentials.create()' }),
});

export const PasskeyRegisterBody = Type.Object(
  {
    challengeId: Type.String({ maxLength: 100 }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    response: Type.Object({}, { additionalProperties: true, description: 'The RegistrationResponseJSON from navigator.credentials.create()' }),
  },
  { additionalProperties: false },
);
export type PasskeyRegisterInput = Static<typeof PasskeyRegisterBody>;

export const PasskeyRegisterReply = Type.Object({ passkey: PasskeyView, recoveryCodes: Type.Optional(RecoveryCodes) });

export const PasskeyRenameBody = Type.Object({ name: Type.String({ maxLength: 200 }) }, { additionalProperties: false });
export const PasskeyParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
