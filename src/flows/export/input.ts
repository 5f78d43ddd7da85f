import { Type, type Static } from 'typebox';

const When = Type.String({ format: 'date-time' });
const MaybeWhen = Type.Union([When, Type.Null()]);

/** Everything playerpass holds about a member, decrypted; never a secret, hash or token. */
export const AccountExport = Type.Object({
  format: Type.Literal('playerpass-export-1'),
  exportedAt: When,
  profile: Type.Object({
    id: Type.String(),
    displayName: Type.String(),
    email: Type.String(),
    emailVerified: Type.Boolean(),
    birthDate: Type.String(),
    status: Type.String(),
    createdAt: When,
    updatedAt: When,
  }),
  sessions: Type.Array(
    Type.Object({
      id: Type.String(),
      current: Type.Boolean(),
      createdAt: When,
      lastSeenAt: When,
      expiresAt: When,
      endedAt: MaybeWhen,
      device: Type.Union([Type.String(), Type.Null()]),
      ipPrefix: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  knownDevices: Type.Array(Type.Object({ firstSeenAt: When, lastSeenAt: When })),
  secondFactors: Type.Object({
    authenticatorApp: Type.Object({ enabled: Type.Boolean(), since: MaybeWhen }),
    passkeys: Type.Array(Type.Object({ name: Type.String(), createdAt: When, lastUsedAt: MaybeWhen, backedUp: Type.Boolean() })),
    recoveryCodesLeft: Type.Integer(),
  }),
  connectedApps: Type.Object({
    /** The pseudonymous `sub` games and sites know the member by; null if they never signed in to one. */
    subject: Type.Union([Type.String(), Type.Null()]),
    since: MaybeWhen,
    grants: Type.Array(Type.Object({ clientId: Type.String(), clientName: Type.Union([Type.String(), Type.Null()]), scopes: Type.Array(Type.String()), grantedAt: MaybeWhen, expiresAt: MaybeWhen })),
  }),
  auditEvents: Type.Array(Type.Object({ type: Type.String(), at: When, ipPrefix: Type.Union([Type.String(), Type.Null()]), data: Type.Record(Type.String(), Type.Unknown()) })),
});
export type AccountExportDocument = Static<typeof AccountExport>;

/** The /account form: the password, needed only when the sign-in is not recent. */
export const exportFormFields = ['password'] as const;
