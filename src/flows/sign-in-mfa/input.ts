import { Type, type Static } from 'typebox';

const WebAuthnResponse = Type.Object({}, { additionalProperties: true, description: 'The JSON of a WebAuthn credential, as @simplewebauthn/browser returns it' });

export const MfaSignInBody = Type.Object(
  {
    challengeId: Type.String({ maxLength: 100 }),
    code: Type.Optional(Type.String({ maxLength: 12, description: 'A 6-digit code from the authenticator app' })),
    recoveryCode: Type.Optional(Type.String({ maxLength: 40, description: 'One of the recovery codes (each works once)' })),
    passkey: Type.Optional(WebAuthnResponse),
  },
  { additionalProperties: false, description: 'The challenge id and exactly one of code, recoveryCode, passkey' },
);
export type MfaSignInInput = Static<typeof MfaSignInBody>;

export const MfaRequiredReply = Type.Object(
  {
    status: Type.Literal('mfa_required'),
    challengeId: Type.String({ description: 'Send it to POST /api/v1/sessions/mfa with the second factor' }),
    methods: Type.Array(Type.Union([Type.Literal('totp'), Type.Literal('passkey'), Type.Literal('recovery_code')])),
    expiresAt: Type.String({ format: 'date-time' }),
    passkeyOptions: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'PublicKeyCredentialRequestOptionsJSON for navigator.credentials.get(), when a passkey is a method' })),
  },
  { description: 'The password was right and the member has a second factor: no session yet.' },
);

export function mfaRequiredReply(challenge: { challengeId: string; methods: string[]; expiresAt: number; passkeyOptions: unknown }) {
  return {
    status: 'mfa_required' as const,
    challengeId: challenge.challengeId,
    methods: challenge.methods,
    expiresAt: new Date(challenge.expiresAt).toISOString(),
    ...(challenge.passkeyOptions ? { passkeyOptions: challenge.passkeyOptions } : {}),
  };
}
